// The failures every adapter names the same way: a 2xx body that is not an answer, a translator that threw.
import { GatewayError, UpstreamError } from "../api/errors.ts";

/** The upstream answered 2xx with something that is not a valid answer: retryable, another try may well answer. */
export function badResponse(providerId: string, detail: string, cause?: unknown): UpstreamError {
  return new UpstreamError(
    providerId,
    `Provider '${providerId}' sent an answer that could not be read: ${detail}`,
    {
      status: 502,
      type: "api_error",
      code: "bad_response",
      kind: "bad_response",
      cause,
    },
  );
}

/**
 * A translator threw something that is not a GatewayError: a bug of ours, not the upstream's fault. Built as
 * routing builds any such throw (a 500, neither retried nor held against the target), so that a stream's reads
 * reject only with GatewayErrors.
 */
export function translatorFailure(providerId: string, thrown: unknown): GatewayError {
  if (thrown instanceof GatewayError) return thrown;
  const detail = thrown instanceof Error ? thrown.message : String(thrown);
  return new GatewayError(`The gateway failed while reading provider '${providerId}': ${detail}`, {
    status: 500,
    type: "server_error",
    code: "internal_error",
    kind: "internal",
    cause: thrown,
  });
}

/** JSON.parse that answers undefined for a body that is not JSON (error bodies are often HTML or plain text). */
export function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
