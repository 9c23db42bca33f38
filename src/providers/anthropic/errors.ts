// Anthropic error statuses and bodies (and in-stream error events) -> GatewayError with the right status, kind and
// retry hints (SDK exceptions: sdk.ts). Error types and statuses: https://docs.anthropic.com/en/api/errors
import {
  emptyAccountKind,
  type FailureKind,
  type KeySource,
  kindForStatus,
  looksLikeContextLength,
  typeForStatus,
  UpstreamError,
} from "../../api/errors.ts";
import { parseJsonOrUndefined } from "../errors.ts";
import type { ErrorResponse } from "../types.ts";
import { anthropicErrorBodySchema } from "./wire.ts";

/** The HTTP status Anthropic documents for each error type, for in-stream error events that carry none. */
const STATUS_FOR_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

/** 529 is Anthropic's own "overloaded"; clients and routing know it as a 503. */
const OVERLOADED_STATUS = 503;

/** Anthropic answers an account out of credit with 400 invalid_request_error and this message, not a 402. */
const LOW_CREDIT_PATTERN = /credit balance is too low/i;

/** The account behind the key cannot pay: 402 billing_error, or the 400 "credit balance is too low". */
function isBilling(status: number, errorType: string | null, message: string): boolean {
  return (
    status === 402 || errorType === "billing_error" || (status === 400 && LOW_CREDIT_PATTERN.test(message))
  );
}

function kindFor(
  status: number,
  errorType: string | null,
  message: string,
  keySource: KeySource,
): FailureKind {
  if (errorType === "overloaded_error" || status === 529) return "transient";
  // Like a refused key: no retry will help, so a rotation fails over and marks the target; with the caller's
  // own key it is the caller's account, answered as is (the same rule kindForStatus applies to 401/403).
  if (isBilling(status, errorType, message)) return emptyAccountKind(keySource);
  if (errorType === "rate_limit_error") return "rate_limited";
  if ((status === 400 || status === 413) && looksLikeContextLength(message)) return "context_length";
  return kindForStatus(status, keySource);
}

/** The error object of an Anthropic error body, undefined when the body is not one. */
function errorOf(body: unknown) {
  const parsed = anthropicErrorBodySchema.safeParse(body);
  return parsed.success ? (parsed.data.error ?? undefined) : undefined;
}

/** Builds the error for an upstream error status and Anthropic's error body. */
export function errorFromStatus(response: ErrorResponse): UpstreamError {
  const { providerId, status, headers, keySource } = response;
  return errorFrom(providerId, status, errorOf(parseJsonOrUndefined(response.body)), headers, keySource);
}

/** An `event: error` inside a 200 stream: its status is implied by the error type. */
export function errorFromStreamEvent(
  providerId: string,
  payload: unknown,
  keySource: KeySource,
): UpstreamError {
  const error = errorOf(payload);
  const status = STATUS_FOR_TYPE[error?.type ?? ""] ?? 500;
  return errorFrom(providerId, status, error, undefined, keySource);
}

function errorFrom(
  providerId: string,
  upstreamStatus: number,
  error: ReturnType<typeof errorOf>,
  headers: Headers | undefined,
  keySource: KeySource,
): UpstreamError {
  const errorType = error?.type ?? null;
  const upstreamMessage = error?.message ?? "";
  const kind = kindFor(upstreamStatus, errorType, upstreamMessage, keySource);
  const status = upstreamStatus === 529 ? OVERLOADED_STATUS : upstreamStatus;
  const message = `Provider '${providerId}' answered ${upstreamStatus}${
    upstreamMessage ? `: ${upstreamMessage}` : errorType ? ` (${errorType})` : ""
  }`;
  return new UpstreamError(providerId, message, {
    status,
    type: typeForStatus(status),
    code:
      kind === "context_length"
        ? "context_length_exceeded"
        : isBilling(upstreamStatus, errorType, upstreamMessage)
          ? "billing_error"
          : errorType,
    kind,
    retryHints: headers
      ? { retryAfterMs: headers.get("retry-after-ms"), retryAfter: headers.get("retry-after") }
      : undefined,
  });
}
