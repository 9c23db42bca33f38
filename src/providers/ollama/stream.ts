// Ollama's NDJSON /api/chat lines -> canonical stream frames: a stateful transform, one frame per line, a cut
// reported when the body ends before the done line (the lines come from ../event-stream.ts).
// Stream lines: https://github.com/ollama/ollama/blob/main/docs/api.md#chat-request-streaming-with-tools
// Mid-stream errors: https://github.com/ollama/ollama/blob/main/docs/api/errors.mdx
import { type KeySource, streamCutError } from "../../api/errors.ts";
import { createBlockWriter } from "../../canonical/block-writer.ts";
import type { StreamEvent, StreamFrame } from "../../canonical/stream.ts";
import type { Logger } from "../../log/logger.ts";
import type { IdSource } from "../types.ts";
import { errorFromStreamEvent, ollamaErrorMessage } from "./errors.ts";
import { OLLAMA_ORIGIN, stopReasonFor, toolCallBlock, usageFrom } from "./response.ts";
import { type OllamaChatResponse, ollamaChatResponseSchema } from "./wire.ts";

export interface StreamContext {
  providerId: string;
  /** Ollama's stream has no id: the adapter mints one. */
  id: string;
  /** Seconds since the epoch. */
  created: number;
  /** Used when the upstream does not name its model. */
  model: string;
  keySource: KeySource;
  newId: IdSource;
  logger: Logger;
}

type ParsedLine = { kind: "error"; payload: unknown } | { kind: "line"; line: OllamaChatResponse };

/** Parses one NDJSON line; undefined (after a warning) when it is not JSON or not a chat line. */
function parseLine(line: string, context: StreamContext): ParsedLine | undefined {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    context.logger.warn("skipped an upstream stream line that is not JSON", {
      provider: context.providerId,
      bytes: line.length,
    });
    return undefined;
  }
  if (ollamaErrorMessage(json) !== undefined) return { kind: "error", payload: json };
  const parsed = ollamaChatResponseSchema.safeParse(json);
  if (!parsed.success) {
    context.logger.warn("skipped an upstream stream line of unknown shape", { provider: context.providerId });
    return undefined;
  }
  return { kind: "line", line: parsed.data };
}

/** The text-like block being written: a line of the other kind (or a tool call, or the end) closes it. */

/**
 * One NDJSON line at a time -> one frame (none for a line that says nothing). Thinking and text stream as deltas
 * of one open block each; a tool call arrives whole, so it is a block of its own, started, filled and stopped in
 * its line. The done:true line closes what is open and brings usage and the finish; the stream ends normally
 * only after it. A body that ends before it errors with a stream-cut GatewayError, an {"error"} line with its
 * message.
 */
export function ollamaStreamTransformer(context: StreamContext): Transformer<string, StreamFrame> {
  let started = false;
  let done = false;
  const blocks = createBlockWriter(OLLAMA_ORIGIN);
  let toolCount = 0;

  function eventsOf(line: OllamaChatResponse): StreamEvent[] {
    const events: StreamEvent[] = [];
    if (!started) {
      started = true;
      // Every frame speaks for the same answer: the model is the first one the upstream reported.
      events.push({
        type: "start",
        id: context.id,
        model: line.model || context.model,
        created: context.created,
      });
    }
    const message = line.message;
    if (message?.thinking) {
      const index = blocks.write("thinking", events);
      events.push({ type: "block_delta", index, delta: { type: "thinking", text: message.thinking } });
    }
    if (message?.content) {
      const index = blocks.write("text", events);
      events.push({ type: "block_delta", index, delta: { type: "text", text: message.content } });
    }
    for (const call of message?.tool_calls ?? []) {
      const block = toolCallBlock(call, context.newId);
      const index = blocks.next(events);
      toolCount += 1;
      events.push({
        type: "block_start",
        index,
        block: { type: "tool_call", id: block.id, name: block.name },
      });
      events.push({ type: "block_delta", index, delta: { type: "arguments", json: block.arguments } });
      events.push({ type: "block_stop", index });
    }
    if (line.done === true) {
      blocks.close(events);
      events.push({ type: "usage", usage: usageFrom(line) });
      events.push({ type: "finish", stopReason: stopReasonFor(line.done_reason, toolCount > 0) });
      done = true;
    }
    return events;
  }

  return {
    transform(text, controller) {
      if (done) {
        context.logger.warn("ignored an upstream stream line after done:true", {
          provider: context.providerId,
        });
        return;
      }
      const parsed = parseLine(text, context);
      if (parsed === undefined) return;
      if (parsed.kind === "error") {
        controller.error(errorFromStreamEvent(context.providerId, parsed.payload, context.keySource));
        return;
      }
      const events = eventsOf(parsed.line);
      if (events.length > 0) controller.enqueue({ events });
    },
    flush(controller) {
      if (!done) controller.error(streamCutError(context.providerId));
    },
  };
}
