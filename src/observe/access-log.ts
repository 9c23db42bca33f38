// The access log: one line per request with who, what answered and where the time went; never a key, prompt or answer.
import type { LogFields, Logger } from "../log/logger.ts";
import type { RequestTrace } from "./trace.ts";

const round = (ms: number) => Math.round(ms * 10) / 10;

/** The line's fields; a field the request did not reach (no route, no stream, no usage) is left out. */
export function accessLogFields(trace: RequestTrace): LogFields {
  const fields: LogFields = {
    request_id: trace.id,
    method: trace.method,
    path: trace.path,
    status: trace.status,
    duration_ms: round(trace.durationMs),
  };
  if (trace.keyName !== undefined) fields.key = trace.keyName;
  if (trace.dialect !== undefined) fields.dialect = trace.dialect;
  if (trace.route !== undefined) fields.route = trace.route;
  if (trace.target) {
    fields.provider = trace.target.providerId;
    fields.model = trace.target.model;
  }
  if (trace.attempts > 0) {
    fields.attempts = trace.attempts;
    fields.upstream_ms = round(trace.upstreamMs);
    fields.overhead_ms = round(Math.max(0, trace.durationMs - trace.upstreamMs));
  }
  if (trace.streaming) fields.stream = true;
  if (trace.firstTokenMs !== undefined) fields.first_token_ms = round(trace.firstTokenMs);
  const usage = trace.usage;
  if (usage) {
    fields.input_tokens = usage.inputTokens;
    fields.output_tokens = usage.outputTokens;
    if (usage.cacheReadTokens !== undefined) fields.cached_tokens = usage.cacheReadTokens;
    if (usage.reasoningTokens !== undefined) fields.reasoning_tokens = usage.reasoningTokens;
  }
  if (trace.errorCode !== undefined) fields.error = trace.errorCode;
  return fields;
}

/** Writes the line: info for API traffic, debug for monitoring polls (health checks, scrapes, the dashboard). */
export function writeAccessLog(logger: Logger, trace: RequestTrace): void {
  const level = trace.quiet ? "debug" : "info";
  // Under a level that drops the line, its fields are not built (a dozen properties per request, for nothing).
  if (logger.enabled?.(level) === false) return;
  logger[level]("request", accessLogFields(trace));
}
