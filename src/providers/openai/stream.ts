// OpenAI SSE events -> canonical frames, each with the chunk's JSON text as it came (an OpenAI client gets that).
// https://platform.openai.com/docs/api-reference/chat-streaming

import { type KeySource, streamCutError } from "../../api/errors.ts";
import { createChunkEvents } from "../../api/openai-chat/chunk-events.ts";
import type { StreamFrame } from "../../canonical/stream.ts";
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
  keySource: KeySource,
): Transformer<EventSourceMessage, StreamFrame> {
  const events = createChunkEvents();
  let done = false;
  return {
    transform(event, controller) {
      if (done) return;
      const data = event.data;
      if (data === "[DONE]") {
        done = true;
        // The upstream's word that the answer is whole, even where a compatible server sent no finish_reason:
        // the canonical stream then says so too, so no dialect renders an answer without its end.
        if (!events.complete) {
          controller.enqueue({ events: [{ type: "finish", stopReason: "end_turn" }] });
        }
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
        // Whose key it was decides an empty account's kind, as for a status; an in-band 401/403 never disables the
        // target (a compatible server's stream error is no proof the configured key is wrong).
        controller.error(
          errorFromStreamEvent(providerId, parsed, keySource === "configured" ? "none" : keySource),
        );
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
