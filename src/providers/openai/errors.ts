// OpenAI error statuses and bodies -> GatewayError; sdk.ts maps the SDK's exceptions.
// Error shape: https://platform.openai.com/docs/guides/error-codes
import {
  type FailureKind,
  kindForStatus,
  looksLikeContextLength,
  typeForStatus,
  UpstreamError,
} from "../../api/errors.ts";

const CONTENT_POLICY_CODES = new Set(["content_filter", "content_policy_violation"]);

interface OpenAIErrorBody {
  message?: unknown;
  type?: unknown;
  code?: unknown;
  param?: unknown;
}

function readErrorBody(value: unknown): OpenAIErrorBody {
  return value !== null && typeof value === "object" ? (value as OpenAIErrorBody) : {};
}

/** Builds the GatewayError for an upstream error status and its OpenAI-shaped error object. */
export function errorFromStatus(
  providerId: string,
  status: number,
  body: unknown,
  headers: Headers | undefined,
  keyConfigured: boolean,
): UpstreamError {
  const error = readErrorBody(body);
  const message =
    typeof error.message === "string" && error.message !== ""
      ? error.message
      : `upstream answered HTTP ${status}`;
  const code =
    typeof error.code === "string" ? error.code : typeof error.code === "number" ? String(error.code) : null;
  let kind: FailureKind = kindForStatus(status, keyConfigured);
  if (status === 400 || status === 413 || status === 422) {
    if (looksLikeContextLength(message, code)) kind = "context_length";
  }
  if (code !== null && CONTENT_POLICY_CODES.has(code)) kind = "client";
  // A 429 "insufficient_quota" is an empty account, not a rate: waiting does not help, another provider does.
  if (code === "insufficient_quota" || error.type === "insufficient_quota")
    kind = keyConfigured ? "misconfigured" : "client";
  return new UpstreamError(providerId, message, {
    status,
    type: typeof error.type === "string" ? error.type : typeForStatus(status),
    code,
    param: typeof error.param === "string" ? error.param : null,
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
