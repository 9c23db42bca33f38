// Ollama error bodies and statuses -> GatewayError (fetch failures: ../http.ts).
// Error shape and statuses: https://github.com/ollama/ollama/blob/main/docs/api/errors.mdx
import { z } from "zod";
import {
  type FailureKind,
  kindForStatus,
  looksLikeContextLength,
  streamCutError,
  typeForStatus,
  UpstreamError,
} from "../../api/errors.ts";

/** `{"error": "..."}`; Ollama Cloud and proxies in front of Ollama sometimes nest it as `{"error": {"message"}}`. */
const ollamaErrorBody = z.looseObject({
  error: z.union([z.string(), z.looseObject({ message: z.string().nullish() })]).nullish(),
});

/** The error message an Ollama body carries, or undefined when it is not an error body. */
export function ollamaErrorMessage(body: unknown): string | undefined {
  const parsed = ollamaErrorBody.safeParse(body);
  if (!parsed.success || parsed.data.error == null) return undefined;
  const error = parsed.data.error;
  if (typeof error === "string") return error;
  return error.message ?? undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function classify(
  status: number,
  message: string,
  keyConfigured: boolean,
): { kind: FailureKind; code: string | null } {
  if (looksLikeContextLength(message)) return { kind: "context_length", code: "context_length_exceeded" };
  // 404 "model 'x' not found": the target is misconfigured (model not pulled), fail over and disable it.
  if (status === 404) return { kind: "misconfigured", code: "model_not_found" };
  // 400 "<model> does not support tools|thinking": this model cannot serve the request, another may.
  if (status === 400 && /does not support (tools|thinking)/i.test(message)) {
    return {
      kind: "unsupported",
      code: /tools/i.test(message) ? "tools_not_supported" : "thinking_not_supported",
    };
  }
  return { kind: kindForStatus(status, keyConfigured), code: null };
}

/** Builds the GatewayError for an error status; the body is the upstream's text, never containing our key. */
export function errorFromStatus(
  providerId: string,
  status: number,
  bodyText: string,
  headers: Headers | undefined,
  keyConfigured: boolean,
): UpstreamError {
  const upstreamMessage =
    ollamaErrorMessage(parseJson(bodyText)) ?? (bodyText.trim().slice(0, 500) || undefined);
  const message = upstreamMessage ?? `upstream answered HTTP ${status}`;
  const { kind, code } = classify(status, message, keyConfigured);
  return new UpstreamError(providerId, message, {
    status,
    type: typeForStatus(status),
    code,
    kind,
    retryHints: headers
      ? { retryAfterMs: headers.get("retry-after-ms"), retryAfter: headers.get("retry-after") }
      : undefined,
  });
}

/**
 * An `{"error": "..."}` line in the middle of a 200 NDJSON stream (the status cannot change once streaming):
 * the model failed while generating, so another attempt may succeed.
 */
export function inStreamError(providerId: string, message: string): UpstreamError {
  if (looksLikeContextLength(message)) {
    return new UpstreamError(providerId, message, {
      status: 400,
      type: "invalid_request_error",
      code: "context_length_exceeded",
      kind: "context_length",
    });
  }
  return new UpstreamError(providerId, message, {
    status: 502,
    type: "api_error",
    code: "upstream_stream_error",
    kind: "transient",
  });
}

export { streamCutError };

/** A 2xx answer that is not a valid /api/chat response. */
export function badResponseError(providerId: string, detail: string): UpstreamError {
  return new UpstreamError(providerId, `Provider '${providerId}' sent an invalid response: ${detail}`, {
    status: 502,
    type: "api_error",
    code: "bad_upstream_response",
    kind: "bad_response",
  });
}
