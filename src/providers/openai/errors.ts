// OpenAI error statuses and bodies (and in-stream error events) -> GatewayError; sdk.ts maps the SDK's exceptions.
// Error shape: https://platform.openai.com/docs/guides/error-codes
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
import { type OpenAIError, openAIErrorBodySchema } from "./wire.ts";

const CONTENT_POLICY_CODES = new Set(["content_filter", "content_policy_violation"]);

/** The error object of an OpenAI-shaped body, {} when there is none (an HTML proxy page, say). */
function errorOf(body: unknown): OpenAIError {
  const parsed = openAIErrorBodySchema.safeParse(body);
  return (parsed.success ? parsed.data.error : undefined) ?? {};
}

/** Builds the GatewayError for an upstream error status and its OpenAI-shaped body. */
export function errorFromStatus(response: ErrorResponse): UpstreamError {
  const { providerId, status, headers, keySource } = response;
  return errorFrom(providerId, status, errorOf(parseJsonOrUndefined(response.body)), headers, keySource);
}

/**
 * OpenAI-compatible servers (OpenRouter, vLLM) report failures mid-stream as `{"error": {...}}`, the HTTP status
 * already sent: a numeric code of 400 or more stands for it, else 502.
 */
export function errorFromStreamEvent(
  providerId: string,
  payload: unknown,
  keySource: KeySource,
  /** The status the event stands for when its code is not one (a Responses stream's named codes). */
  fallbackStatus = 502,
): UpstreamError {
  const error = errorOf(payload);
  const status = typeof error.code === "number" && error.code >= 400 ? error.code : fallbackStatus;
  return errorFrom(providerId, status, error, undefined, keySource);
}

function errorFrom(
  providerId: string,
  status: number,
  error: OpenAIError,
  headers: Headers | undefined,
  keySource: KeySource,
): UpstreamError {
  const message = error.message ? error.message : `upstream answered HTTP ${status}`;
  const code = typeof error.code === "number" ? String(error.code) : (error.code ?? null);
  let kind: FailureKind = kindForStatus(status, keySource);
  if (status === 400 || status === 413 || status === 422) {
    if (looksLikeContextLength(message, code)) kind = "context_length";
  }
  if (code !== null && CONTENT_POLICY_CODES.has(code)) kind = "client";
  // A 429 "insufficient_quota" is an empty account, not a rate: waiting does not help, another provider does.
  if (code === "insufficient_quota" || error.type === "insufficient_quota")
    kind = emptyAccountKind(keySource);
  return new UpstreamError(providerId, message, {
    status,
    type: error.type ?? typeForStatus(status),
    code,
    param: error.param ?? null,
    kind,
    retryHints: headers
      ? {
          retryAfterMs: headers.get("retry-after-ms"),
          retryAfter: headers.get("retry-after"),
          // OpenRouter and other OpenAI-compatible servers: when the window resets, as epoch time.
          rateLimitReset: headers.get("x-ratelimit-reset"),
        }
      : undefined,
  });
}
