// Ollama error statuses and bodies (and in-stream error lines) -> GatewayError (fetch failures: ../http.ts).
// Error shape and statuses: https://github.com/ollama/ollama/blob/main/docs/api/errors.mdx
import {
  type FailureKind,
  type KeySource,
  kindForStatus,
  looksLikeContextLength,
  typeForStatus,
  UpstreamError,
} from "../../api/errors.ts";
import { parseJsonOrUndefined } from "../errors.ts";
import type { ErrorResponse } from "../types.ts";
import { ollamaErrorBodySchema } from "./wire.ts";

/** The error message an Ollama body carries, or undefined when it is not an error body. */
export function ollamaErrorMessage(body: unknown): string | undefined {
  const parsed = ollamaErrorBodySchema.safeParse(body);
  if (!parsed.success || parsed.data.error == null) return undefined;
  const error = parsed.data.error;
  if (typeof error === "string") return error;
  return error.message ?? undefined;
}

function classify(
  status: number,
  message: string,
  keySource: KeySource,
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
  return { kind: kindForStatus(status, keySource), code: null };
}

/** Builds the GatewayError for an error status; the message is the upstream's, or its body's text. */
export function errorFromStatus(response: ErrorResponse): UpstreamError {
  const { providerId, status, body, headers, keySource } = response;
  const upstreamMessage =
    ollamaErrorMessage(parseJsonOrUndefined(body)) ?? (body.trim().slice(0, 500) || undefined);
  const message = upstreamMessage ?? `upstream answered HTTP ${status}`;
  const { kind, code } = classify(status, message, keySource);
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
export function errorFromStreamEvent(
  providerId: string,
  payload: unknown,
  _keySource: KeySource,
): UpstreamError {
  const message = ollamaErrorMessage(payload) ?? "the upstream reported an error mid-stream";
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
