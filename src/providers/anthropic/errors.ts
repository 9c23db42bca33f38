// Anthropic error bodies and statuses -> GatewayError with the right status, kind and retry hints (SDK
// exceptions: sdk.ts). Error types and statuses: https://docs.anthropic.com/en/api/errors
import { streamCutError } from "../../api/errors.ts";
import { z } from "zod";
import {
  type FailureKind,
  GatewayError,
  kindForStatus,
  looksLikeContextLength,
  typeForStatus,
  UpstreamError,
} from "../../api/errors.ts";

/** `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_..."}` */
export const anthropicErrorBodySchema = z.looseObject({
  error: z.looseObject({ type: z.string().nullish(), message: z.string().nullish() }).nullish(),
});

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

export interface AnthropicErrorInput {
  providerId: string;
  status: number;
  body: unknown;
  headers?: Headers | undefined;
  keyConfigured: boolean;
}

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
  keyConfigured: boolean,
): FailureKind {
  if (errorType === "overloaded_error" || status === 529) return "transient";
  // Like a refused key: no retry will help, so a rotation fails over and marks the target; with the caller's
  // own key it is the caller's account, answered as is (the same rule kindForStatus applies to 401/403).
  if (isBilling(status, errorType, message)) return keyConfigured ? "misconfigured" : "client";
  if (errorType === "rate_limit_error") return "rate_limited";
  if ((status === 400 || status === 413) && looksLikeContextLength(message)) return "context_length";
  return kindForStatus(status, keyConfigured);
}

/** Builds the error for an upstream error status (or an in-stream error event) and Anthropic's error body. */
export function errorFromAnthropic(input: AnthropicErrorInput): UpstreamError {
  const parsed = anthropicErrorBodySchema.safeParse(input.body);
  const error = parsed.success ? parsed.data.error : undefined;
  const errorType = error?.type ?? null;
  const upstreamMessage = error?.message ?? "";
  const kind = kindFor(input.status, errorType, upstreamMessage, input.keyConfigured);
  const status = input.status === 529 ? OVERLOADED_STATUS : input.status;
  const message = `Provider '${input.providerId}' answered ${input.status}${
    upstreamMessage ? `: ${upstreamMessage}` : errorType ? ` (${errorType})` : ""
  }`;
  return new UpstreamError(input.providerId, message, {
    status,
    type: typeForStatus(status),
    code:
      kind === "context_length"
        ? "context_length_exceeded"
        : isBilling(input.status, errorType, upstreamMessage)
          ? "billing_error"
          : errorType,
    kind,
    retryHints: input.headers
      ? { retryAfterMs: input.headers.get("retry-after-ms"), retryAfter: input.headers.get("retry-after") }
      : undefined,
  });
}

/** An `event: error` inside a 200 stream: its status is implied by the error type. */
export function errorFromStreamEvent(
  providerId: string,
  payload: unknown,
  keyConfigured: boolean,
): UpstreamError {
  const parsed = anthropicErrorBodySchema.safeParse(payload);
  const errorType = parsed.success ? (parsed.data.error?.type ?? "") : "";
  const status = STATUS_FOR_TYPE[errorType] ?? 500;
  return errorFromAnthropic({ providerId, status, body: payload, keyConfigured });
}

export { streamCutError };

/** The upstream answered 2xx with something that is not a Messages API answer. */
export function badResponseError(providerId: string, detail: string): GatewayError {
  return new GatewayError(`Provider '${providerId}' sent an answer that could not be read: ${detail}`, {
    status: 502,
    type: "api_error",
    code: "bad_response",
    kind: "bad_response",
  });
}
