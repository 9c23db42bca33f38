// The one error hierarchy: every failure knows its HTTP status, OpenAI error type/code and how routing
// should treat it, decided where the error is built. server/errors.ts turns it into HTTP, main.ts into exit codes.

/**
 * How the router treats a failed attempt (see routing/policy.ts):
 * - client: the request itself is wrong (400/422, content policy); returned as is, no failover.
 * - transient: 5xx, overloaded, connection reset before a response; retry once, then fail over.
 * - rate_limited: 429 / RESOURCE_EXHAUSTED; honour the retry hints.
 * - silent: headers or first content did not arrive in time; fail over at once, no retry.
 * - context_length: the prompt does not fit this model; fail over, never resend to it.
 * - misconfigured: 404 model, 401/403 with a configured key; fail over and disable the target.
 * - internal: the gateway itself failed (a bug, a body it could not serialise); no retry, no health penalty.
 * - unsupported: this model cannot serve this request (no tool support, no thinking); fail over, no health
 *   penalty: the target is fine for other requests.
 * - bad_response: the upstream answered 2xx with something that is not a valid answer.
 */
export type FailureKind =
  | "client"
  | "transient"
  | "rate_limited"
  | "silent"
  | "context_length"
  | "misconfigured"
  | "unsupported"
  | "internal"
  | "bad_response";

/** Raw retry hints as the upstream sent them; routing/retry-after.ts interprets them. */
export interface RetryHints {
  retryAfterMs?: string | null;
  retryAfter?: string | null;
  /** Gemini google.rpc.RetryInfo retryDelay, e.g. "23s". */
  retryDelay?: string | null;
  /** X-RateLimit-Reset as OpenRouter sends it: the epoch time (ms or s) when the limit window resets. */
  rateLimitReset?: string | null;
}

export interface GatewayErrorOptions {
  status: number;
  type: string;
  code?: string | null;
  param?: string | null;
  kind?: FailureKind;
  retryHints?: RetryHints;
  /** Headers the client should get with this error (Retry-After on a 503, for example). */
  headers?: Record<string, string>;
  cause?: unknown;
}

export class GatewayError extends Error {
  readonly status: number;
  readonly type: string;
  readonly code: string | null;
  readonly param: string | null;
  readonly kind: FailureKind;
  readonly retryHints: RetryHints | undefined;
  readonly headers: Record<string, string>;

  constructor(message: string, options: GatewayErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "GatewayError";
    this.status = options.status;
    this.type = options.type;
    this.code = options.code ?? null;
    this.param = options.param ?? null;
    this.kind = options.kind ?? "client";
    this.retryHints = options.retryHints;
    this.headers = options.headers ?? {};
  }

  /** OpenAI's error shape: https://platform.openai.com/docs/guides/error-codes */
  toBody(): { error: { message: string; type: string; code: string | null; param: string | null } } {
    return { error: { message: this.message, type: this.type, code: this.code, param: this.param } };
  }
}

/** The client sent something we cannot serve (bad JSON, a missing field, an unknown provider). */
export class InvalidRequestError extends GatewayError {
  constructor(message: string, options: { status?: number; code?: string; param?: string | null } = {}) {
    super(message, {
      status: options.status ?? 400,
      type: "invalid_request_error",
      code: options.code ?? "invalid_request",
      param: options.param ?? null,
      kind: "client",
    });
    this.name = "InvalidRequestError";
  }
}

export class AuthenticationError extends GatewayError {
  constructor(message: string, code = "invalid_api_key") {
    super(message, { status: 401, type: "authentication_error", code, kind: "client" });
    this.name = "AuthenticationError";
  }
}

/** An upstream answered with an error status; its status and reason are kept. */
export class UpstreamError extends GatewayError {
  readonly providerId: string;
  constructor(providerId: string, message: string, options: GatewayErrorOptions) {
    super(message, options);
    this.name = "UpstreamError";
    this.providerId = providerId;
  }
}

/** No response from the upstream: refused, reset, DNS, TLS. */
export class UpstreamConnectionError extends GatewayError {
  constructor(providerId: string, detail: string, cause?: unknown) {
    super(`Could not reach provider '${providerId}': ${detail}`, {
      status: 502,
      type: "api_error",
      code: "upstream_unreachable",
      kind: "transient",
      cause,
    });
    this.name = "UpstreamConnectionError";
  }
}

/** The upstream did not answer (headers, first content or the whole answer) within its deadline. */
export class UpstreamTimeoutError extends GatewayError {
  constructor(providerId: string, what: string, ms: number) {
    super(`Provider '${providerId}' timed out: ${what} did not arrive within ${ms} ms`, {
      status: 504,
      type: "timeout_error",
      code: "upstream_timeout",
      kind: "silent",
    });
    this.name = "UpstreamTimeoutError";
  }
}

/**
 * Whose key an attempt sent: the one configured for the provider, the caller's own (pass-through), or none at
 * all. A refused configured key is the operator's to fix; the caller's own key refused is the caller's problem.
 */
export type KeySource = "configured" | "caller" | "none";

/**
 * An empty account (out of credits, insufficient quota): the provider's own unless the key was the caller's, so
 * with a configured key or none at all the target is taken out and the request fails over.
 */
export function emptyAccountKind(keySource: KeySource): FailureKind {
  return keySource === "caller" ? "client" : "misconfigured";
}

/** How an upstream HTTP status is treated when the provider's body says nothing more specific. */
export function kindForStatus(status: number, keySource: KeySource): FailureKind {
  if (status === 429) return "rate_limited";
  if (status === 408 || status === 409 || status >= 500) return "transient";
  if (status === 404) return "misconfigured";
  // Out of credits (OpenRouter, DeepSeek): this account cannot serve anything until someone pays.
  if (status === 402) return "misconfigured";
  if (status === 401 || status === 403) return emptyAccountKind(keySource);
  return "client";
}

/** OpenAI error `type` for a status, used when the upstream's body does not give one. */
export function typeForStatus(status: number): string {
  if (status === 400 || status === 422) return "invalid_request_error";
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 404) return "not_found_error";
  if (status === 429) return "rate_limit_error";
  if (status === 408 || status === 504) return "timeout_error";
  return "api_error";
}

const CONTEXT_LENGTH_PATTERN =
  /context[_ ]length|context window|maximum context|too many tokens|prompt is too long|input token count|exceeds the maximum number of tokens/i;

/** Providers say "context too long" in their own words; this recognises the ones we know. */
export function looksLikeContextLength(message: string, code?: string | null): boolean {
  if (code === "context_length_exceeded") return true;
  return CONTEXT_LENGTH_PATTERN.test(message);
}

/** The upstream's body ended before it said the answer was complete: never a whole answer, always retryable. */
export function streamCutError(providerId: string, cause?: unknown): UpstreamError {
  return new UpstreamError(
    providerId,
    `Provider '${providerId}' cut the stream before the answer was complete`,
    {
      status: 502,
      type: "api_error",
      code: "stream_cut",
      kind: "transient",
      cause,
    },
  );
}
