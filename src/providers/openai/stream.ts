// OpenAI SSE events -> canonical frames, each with the chunk's JSON text as it came (an OpenAI client gets that).
// https://platform.openai.com/docs/api-reference/chat-streaming
import { createChunkEvents } from "../../api/openai-chat/chunk-events.ts";
import type { StreamFrame } from "../../canonical/stream.ts";
import { streamCutError } from "../../api/errors.ts";
import type { Logger } from "../../log/logger.ts";
import type { EventSourceMessage } from "../event-stream.ts";
import { errorFromStreamEvent } from "./errors.ts";
import { isOpenAIChunk } from "./wire.ts";

/**
 * Parses each event; `[DONE]` and a finish_reason on every choice mark the answer complete. A body that ends
 * before either is a cut and errors the stream, so the router never mistakes half an answer for a whole one.
 */
export function openAIStreamTransformer(
  providerId: string,
  logger: Logger,
): Transformer<EventSourceMessage, StreamFrame> {
  const events = createChunkEvents();
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
      if (isOpenAIChunk(parsed)) {
        controller.enqueue({ events: events.read(parsed), raw: { dialect: "openai-chat", data } });
        return;
      }
      if ((parsed as { error?: unknown } | null)?.error !== undefined) {
        // An in-band 401/403 does not disable the target: read as if the key were the caller's, as always.
        controller.error(errorFromStreamEvent(providerId, parsed, "caller"));
        return;
      }
      logger.warn("skipped an upstream stream event of unknown shape", { provider: providerId });
    },
    flush(controller) {
      if (done || events.complete) return;
      controller.error(streamCutError(providerId));
    },
  };
}
