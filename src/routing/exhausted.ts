// What a failed request tells the client: one provider's own error, or a 503/429 listing every attempt.
import { GatewayError } from "../api/errors.ts";
import type { AttemptRecord, Route } from "./types.ts";

/** Kinds that say "this request cannot be served as sent": retrying it later changes nothing. */
const PERMANENT = new Set(["client", "context_length", "unsupported", "misconfigured", "internal"]);

export interface Exhaustion {
  route: Route;
  records: AttemptRecord[];
  lastError: GatewayError | undefined;
  attempts: number;
  /** When cooling-down targets come back (ms since the epoch). */
  comebackTimes: number[];
  now: number;
}

/** The upstream's error as it is, with the routing headers every answer carries. */
export function asAnswered(
  error: GatewayError,
  provider: string,
  model: string,
  attempts: number,
): GatewayError {
  return withHeaders(error, {
    "x-aisbf-provider": provider,
    "x-aisbf-model": model,
    "x-aisbf-attempts": String(attempts),
  });
}

function withHeaders(error: GatewayError, headers: Record<string, string>): GatewayError {
  return new GatewayError(error.message, {
    status: error.status,
    type: error.type,
    code: error.code,
    param: error.param,
    kind: error.kind,
    headers: { ...error.headers, ...headers },
  });
}

export function exhausted({
  route,
  records,
  lastError,
  attempts,
  comebackTimes,
  now,
}: Exhaustion): GatewayError {
  const headers: Record<string, string> = { "x-aisbf-attempts": String(attempts) };
  const last = records.at(-1);
  if (last) {
    headers["x-aisbf-provider"] = last.provider;
    headers["x-aisbf-model"] = last.model;
  }
  const tried = records.filter((record) => !record.skipped);
  const permanent = tried.length > 0 && tried.every((record) => PERMANENT.has(record.kind ?? ""));
  const retryAt = comebackTimes.length > 0 ? Math.min(...comebackTimes) : undefined;
  if (retryAt !== undefined) headers["retry-after"] = String(Math.max(1, Math.ceil((retryAt - now) / 1000)));
  // A target that failed for a passing reason and is not cooling down may be tried again at once.
  else if (tried.length > 0 && !permanent) headers["retry-after"] = "1";

  // One provider asked directly, or every attempt refused the request itself: the upstream's own answer
  // (a 404 model, a 401 key, a prompt too long everywhere) says more than a generic 503.
  const targets = new Set(records.map((record) => `${record.provider}/${record.model}`)).size;
  if (lastError && targets === 1 && !route.isRotation && !last?.skipped)
    return withHeaders(lastError, headers);
  if (lastError && permanent && tried.length === records.length) return withHeaders(lastError, headers);
  const onlySkipped = targets === 1 && last?.skipped && last.status > 0 && retryAt === undefined;
  if (onlySkipped && last) {
    return new GatewayError(
      `${last.provider}/${last.model} is disabled until the config changes: ${last.reason}`,
      {
        status: last.status,
        type: "invalid_request_error",
        code: "target_disabled",
        kind: "misconfigured",
        headers,
      },
    );
  }

  const allRateLimited = records.length > 0 && records.every((record) => record.status === 429);
  const list = records
    .map(
      (record) =>
        `${record.provider}/${record.model}: ${record.skipped ? "" : `${record.status} `}${record.reason}`,
    )
    .join("; ");
  const message =
    tried.length === 0 && records.length > 0
      ? `No provider is available for '${route.name}': every target is cooling down or disabled (${list})`
      : `Every provider for '${route.name}' failed (${list || "no targets"})`;
  return new GatewayError(message, {
    status: allRateLimited ? 429 : 503,
    type: allRateLimited ? "rate_limit_error" : "api_error",
    code: allRateLimited ? "all_providers_rate_limited" : "no_provider_available",
    kind: "transient",
    headers,
  });
}
