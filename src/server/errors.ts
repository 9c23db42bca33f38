// THE one place where an error becomes HTTP: OpenAI's error shape, the error's own status and headers, secrets redacted.
import { GatewayError } from "../api/errors.ts";
import { type Logger, redactText } from "../log/logger.ts";

export interface ErrorBody {
  error: { message: string; type: string; code: string | null; param: string | null };
}

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

export function errorResponse(thrown: unknown, logger: Logger, secrets: Iterable<string>): Response {
  const error = toGatewayError(thrown, logger);
  const headers = new Headers(error.headers);
  headers.set("content-type", "application/json");
  return new Response(JSON.stringify(errorBody(error, secrets)), { status: error.status, headers });
}
