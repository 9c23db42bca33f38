// OpenAI SSE events -> StreamChunks, forwarding each chunk's JSON text unchanged.
// https://platform.openai.com/docs/api-reference/chat-streaming
import { type ChatCompletionChunk, createFinishTracker } from "../../api/chat.ts";
import { UpstreamError } from "../../api/errors.ts";
import type { Logger } from "../../log/logger.ts";
import type { EventSourceMessage } from "../sse.ts";
import type { StreamChunk } from "../types.ts";
import { errorFromStatus } from "./errors.ts";

function isChunk(value: unknown): value is ChatCompletionChunk {
  return (
    value !== null && typeof value === "object" && Array.isArray((value as { choices?: unknown }).choices)
  );
}

/**
 * Parses each event; `[DONE]` and a finish_reason mark the answer complete. A body that ends before either is a
 * cut and errors the stream, so the router never mistakes half an answer for a whole one.
 */
export function createOpenAIStreamTranslator(
  providerId: string,
  logger: Logger,
): TransformStream<EventSourceMessage, StreamChunk> {
  const tracker = createFinishTracker();
  let done = false;
  return new TransformStream({
    transform(event, controller) {
      if (done) return;
      const data = event.data;
      if (data === "[DONE]") {
        done = true;
        controller.terminate();
        return;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(data);
      } catch {
        logger.warn("skipped an upstream stream event that is not JSON", {
          provider: providerId,
          bytes: data.length,
        });
        return;
      }
      if (isChunk(parsed)) {
        tracker.see(parsed);
        controller.enqueue({ chunk: parsed, raw: data });
        return;
      }
      // OpenAI-compatible servers (OpenRouter, vLLM) report failures mid-stream as {"error": {...}}.
      const error = (parsed as { error?: { code?: unknown } } | null)?.error;
      if (error !== undefined) {
        const status = typeof error.code === "number" && error.code >= 400 ? error.code : 502;
        controller.error(errorFromStatus(providerId, status, error, undefined, false));
        return;
      }
      logger.warn("skipped an upstream stream event of unknown shape", { provider: providerId });
    },
    flush(controller) {
      if (done || tracker.complete) return;
      controller.error(
        new UpstreamError(
          providerId,
          `Provider '${providerId}' cut the stream before the answer was complete`,
          {
            status: 502,
            type: "api_error",
            code: "stream_cut",
            kind: "transient",
          },
        ),
      );
    },
  });
}
