// What a failed request tells the client: one provider's own error, or a 503/429 listing every attempt.
import { GatewayError } from "../api/errors.ts";
import type { Unfit } from "./run-attempts.ts";
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
  /** What some targets could not take (run-attempts.ts), if any was passed over for it. */
  unfit?: Unfit | undefined;
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

/** A target passed by (run-attempts.ts) because it cannot take what the request carries. */
function isUnfit(record: AttemptRecord): boolean {
  return record.skipped === true && record.kind === "unsupported";
}

/**
 * No target could take the request as sent: the client's error, naming the field and the targets, however healthy
 * they are. Retrying it changes nothing; sending it elsewhere, or without the field, does.
 */
function unfitError(route: Route, records: AttemptRecord[], unfit: Unfit, headers: Record<string, string>) {
  const targets = records.map((record) => `${record.provider}/${record.model}`);
  const where = unfit.at ? `${unfit.at}: ` : "This request carries ";
  const who = route.isRotation
    ? `no target of '${route.name}' can take (${targets.join(", ")} read no documents)`
    : `${targets[0]} cannot take (its provider reads no documents)`;
  return new GatewayError(
    `${where}${unfit.what}, which ${who}; send it to a provider that reads PDFs, or without the document`,
    {
      status: 400,
      type: "invalid_request_error",
      code: "unsupported_content",
      param: unfit.at ?? null,
      kind: "client",
      headers,
    },
  );
}

export function exhausted({
  route,
  records,
  lastError,
  attempts,
  comebackTimes,
  now,
  unfit,
}: Exhaustion): GatewayError {
  const headers: Record<string, string> = { "x-aisbf-attempts": String(attempts) };
  const last = records.at(-1);
  if (last) {
    headers["x-aisbf-provider"] = last.provider;
    headers["x-aisbf-model"] = last.model;
  }
  if (unfit && records.length > 0 && records.every(isUnfit))
    return unfitError(route, records, unfit, headers);
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

  // Targets passed by as unable to take the request say nothing of the rate limits of those that could.
  const able = records.filter((record) => !isUnfit(record));
  const allRateLimited = able.length > 0 && able.every((record) => record.status === 429);
  const list = records
    .map(
      (record) =>
        `${record.provider}/${record.model}: ${record.skipped ? "" : `${record.status} `}${record.reason}`,
    )
    .join("; ");
  const message =
    tried.length === 0 && records.length > 0
      ? `No provider is available for '${route.name}': every target is cooling down, disabled or unable to take the request (${list})`
      : `Every provider for '${route.name}' failed (${list || "no targets"})`;
  return new GatewayError(message, {
    status: allRateLimited ? 429 : 503,
    type: allRateLimited ? "rate_limit_error" : "api_error",
    code: allRateLimited ? "all_providers_rate_limited" : "no_provider_available",
    kind: "transient",
    headers,
  });
}
