// OpenAI SSE events -> StreamChunks, forwarding each chunk's JSON text unchanged.
// https://platform.openai.com/docs/api-reference/chat-streaming
import { type ChatCompletionChunk, createFinishTracker } from "../../api/chat.ts";
import { streamCutError } from "../../api/errors.ts";
import type { Logger } from "../../log/logger.ts";
import type { EventSourceMessage } from "../sse.ts";
import type { StreamChunk } from "../types.ts";
import { errorFromStatus } from "./errors.ts";

/** A chunk as OpenAI documents it: choices, each an object with its index (and a delta object when present). */
function isChunk(value: unknown): value is ChatCompletionChunk {
  if (value === null || typeof value !== "object") return false;
  const choices = (value as { choices?: unknown }).choices;
  if (!Array.isArray(choices)) return false;
  for (const choice of choices) {
    if (choice === null || typeof choice !== "object") return false;
    const { index, delta } = choice as { index?: unknown; delta?: unknown };
    if (typeof index !== "number") return false;
    if (delta !== undefined && (delta === null || typeof delta !== "object")) return false;
  }
  return true;
}

/**
 * Parses each event; `[DONE]` and a finish_reason mark the answer complete. A body that ends before either is a
 * cut and errors the stream, so the router never mistakes half an answer for a whole one.
 */
export function createOpenAIStreamTranslator(
  providerId: string,
  logger: Logger,
): TransformStream<EventSourceMessage, StreamChunk> {
  return new TransformStream(openAIStreamTransformer(providerId, logger));
}

/** The translator's steps, for sseTranslated (which runs them without a TransformStream of its own). */
export function openAIStreamTransformer(
  providerId: string,
  logger: Logger,
): Transformer<EventSourceMessage, StreamChunk> {
  const tracker = createFinishTracker();
  let done = false;
  return {
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
      controller.error(streamCutError(providerId));
    },
  };
}
