// Gemini errors (HTTP status + google.rpc.Status body, in-stream error events) -> GatewayError.
// The SDK's own exceptions (model lists) are mapped in sdk.ts, which is loaded only when the SDK is.
// Body shape and codes: https://ai.google.dev/gemini-api/docs/troubleshooting#error-codes ;
// RetryInfo: https://cloud.google.com/apis/design/errors#error_details
import {
  type FailureKind,
  type KeySource,
  kindForStatus,
  looksLikeContextLength,
  type RetryHints,
  typeForStatus,
  UpstreamError,
} from "../../api/errors.ts";
import { redactText } from "../../log/logger.ts";
import type { ErrorResponse } from "../types.ts";
import { type GeminiErrorBody, geminiErrorBodySchema } from "./wire.ts";

function statusOf(body: unknown): GeminiErrorBody | undefined {
  const parsed = geminiErrorBodySchema.safeParse(body);
  return parsed.success ? parsed.data.error : undefined;
}

/** The google.rpc.Status inside an error text: the SDK's errors prefix it with "got status: X. ". */
function parseErrorBody(text: string): GeminiErrorBody | undefined {
  const start = text.indexOf("{");
  if (start < 0) return undefined;
  try {
    return statusOf(JSON.parse(text.slice(start)));
  } catch {
    return undefined;
  }
}

function detail(
  body: GeminiErrorBody | undefined,
  type: string,
): { retryDelay?: string | null; reason?: string | null } | undefined {
  return body?.details?.find((item) => item["@type"] === `type.googleapis.com/google.rpc.${type}`);
}

function kindFor(status: number, body: GeminiErrorBody | undefined, keySource: KeySource): FailureKind {
  const googleStatus = body?.status ?? "";
  if (googleStatus === "RESOURCE_EXHAUSTED" || status === 429) return "rate_limited";
  if (["UNAVAILABLE", "INTERNAL", "DEADLINE_EXCEEDED"].includes(googleStatus)) return "transient";
  if (status === 400 && looksLikeContextLength(body?.message ?? "")) return "context_length";
  return kindForStatus(status, keySource);
}

function codeFor(kind: FailureKind, status: number, googleStatus: string | null | undefined): string | null {
  if (kind === "context_length") return "context_length_exceeded";
  if (kind === "rate_limited") return "rate_limit_exceeded";
  if (status === 404) return "model_not_found";
  if (status === 401) return "invalid_api_key";
  return googleStatus ? googleStatus.toLowerCase() : null;
}

function retryHintsFor(
  body: GeminiErrorBody | undefined,
  headers: Headers | undefined,
): RetryHints | undefined {
  const hints: RetryHints = {};
  const retryDelay = detail(body, "RetryInfo")?.retryDelay;
  if (retryDelay) hints.retryDelay = retryDelay;
  const retryAfter = headers?.get("retry-after");
  if (retryAfter) hints.retryAfter = retryAfter;
  const retryAfterMs = headers?.get("retry-after-ms");
  if (retryAfterMs) hints.retryAfterMs = retryAfterMs;
  return Object.keys(hints).length > 0 ? hints : undefined;
}

/** Retry-After for the client, in whole seconds, from the upstream's header or its RetryInfo delay. */
function clientHeaders(hints: RetryHints | undefined): Record<string, string> {
  if (hints?.retryAfter) return { "retry-after": hints.retryAfter };
  const seconds = hints?.retryDelay ? /^(\d+(?:\.\d+)?)s$/.exec(hints.retryDelay)?.[1] : undefined;
  return seconds === undefined ? {} : { "retry-after": String(Math.ceil(Number(seconds))) };
}

/** An upstream error status and body -> UpstreamError with the status, kind and retry hints routing needs. */
export function errorFromStatus(response: ErrorResponse): UpstreamError {
  return errorFrom(response, parseErrorBody(response.body));
}

/**
 * An `{"error": {...}}` event inside a 200 stream (the status already sent): its google.rpc.Status code stands
 * for the status, as the SDK read it.
 */
export function errorFromStreamEvent(
  providerId: string,
  payload: unknown,
  keySource: KeySource,
): UpstreamError {
  const body = statusOf(payload);
  const status = body?.code ?? 500;
  return errorFrom({ providerId, status, body: JSON.stringify(payload), keySource }, body);
}

function errorFrom(source: ErrorResponse, body: GeminiErrorBody | undefined): UpstreamError {
  // Gemini answers a bad key with 400 INVALID_ARGUMENT + ErrorInfo API_KEY_INVALID; it is an auth failure.
  const badKey = detail(body, "ErrorInfo")?.reason === "API_KEY_INVALID";
  const upstreamStatus = badKey ? 401 : source.status;
  const status = upstreamStatus >= 400 && upstreamStatus <= 599 ? upstreamStatus : 502;
  const kind = kindFor(status, body, source.keySource);
  const retryHints = retryHintsFor(body, source.headers);
  const what = body?.message ?? (source.body.trim().slice(0, 300) || "no error body");
  const message = redactText(
    `Provider '${source.providerId}' answered ${source.status}${body?.status ? ` ${body.status}` : ""}: ${what}`,
  );
  return new UpstreamError(source.providerId, message, {
    status,
    type: typeForStatus(status),
    code: codeFor(kind, status, body?.status),
    kind,
    retryHints,
    headers: kind === "rate_limited" || kind === "transient" ? clientHeaders(retryHints) : {},
  });
}
