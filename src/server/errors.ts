// THE one place where an error becomes HTTP: the client dialect's error shape (OpenAI's, or Anthropic's on the
// Messages routes), the error's own status and headers, secrets redacted.
import { GatewayError } from "../api/errors.ts";
import { type Logger, redactText } from "../log/logger.ts";

export interface ErrorBody {
  error: { message: string; type: string; code: string | null; param: string | null };
}

/** Anthropic's error shape: https://docs.anthropic.com/en/api/errors */
export interface AnthropicErrorBody {
  type: "error";
  error: { type: string; message: string };
}

/** Which error shape a client reads: OpenAI's (Chat Completions, Responses, models) or Anthropic's (Messages). */
export type ErrorShape = "openai" | "anthropic";

/** Any thrown value as a GatewayError; an unexpected one is a 500 whose details stay in the log. */
export function toGatewayError(thrown: unknown, logger: Logger): GatewayError {
  if (thrown instanceof GatewayError) return thrown;
  if (thrown instanceof Error && (thrown.name === "AbortError" || thrown.name === "ClientGone")) {
    // The client went away: nobody reads this answer, and it is not a gateway fault worth an error log.
    return new GatewayError("The client closed the request", {
      status: 499,
      type: "invalid_request_error",
      code: "client_closed",
    });
  }
  logger.error("unexpected error", {
    error: thrown instanceof Error ? (thrown.stack ?? thrown.message) : String(thrown),
  });
  return new GatewayError("The gateway failed unexpectedly; the details are in its log", {
    status: 500,
    type: "server_error",
    code: "internal_error",
  });
}

export function errorBody(error: GatewayError, secrets: Iterable<string>): ErrorBody {
  const body = error.toBody();
  body.error.message = redactText(body.error.message, secrets);
  return body;
}

/**
 * Anthropic's error type for an error: by status, as Anthropic's own API answers
 * (400 invalid_request_error, 401 authentication_error, 403 permission_error, 404 not_found_error,
 * 413 request_too_large, 429 rate_limit_error, 500 api_error, 529 overloaded_error).
 */
export function anthropicErrorType(error: GatewayError): string {
  const status = error.status;
  if (status === 401) return "authentication_error";
  if (status === 402) return "billing_error";
  if (status === 403) return "permission_error";
  if (status === 404) return "not_found_error";
  if (status === 413) return "request_too_large";
  if (status === 429) return "rate_limit_error";
  if (status === 529 || status === 503) return "overloaded_error";
  if (status === 504 || status === 408) return "timeout_error";
  if (status >= 400 && status < 500) return "invalid_request_error";
  return "api_error";
}

export function anthropicErrorBody(error: GatewayError, secrets: Iterable<string>): AnthropicErrorBody {
  return {
    type: "error",
    error: { type: anthropicErrorType(error), message: redactText(error.message, secrets) },
  };
}

/** The error's body in the shape its client reads, as JSON text. */
export function errorText(error: GatewayError, secrets: Iterable<string>, shape: ErrorShape): string {
  return JSON.stringify(
    shape === "anthropic" ? anthropicErrorBody(error, secrets) : errorBody(error, secrets),
  );
}

export function errorResponse(
  thrown: unknown,
  logger: Logger,
  secrets: Iterable<string>,
  shape: ErrorShape = "openai",
): Response {
  const error = toGatewayError(thrown, logger);
  const headers = new Headers(error.headers);
  headers.set("content-type", "application/json");
  return new Response(errorText(error, secrets, shape), { status: error.status, headers });
}

/** The error shape of a request path: Anthropic's on the Messages routes, OpenAI's everywhere else. */
export function errorShapeOf(path: string): ErrorShape {
  return /\/v1\/messages(\/count_tokens)?\/?$/.test(path) ? "anthropic" : "openai";
}
