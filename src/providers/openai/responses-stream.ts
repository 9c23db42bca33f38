// OpenAI Responses API stream events -> canonical frames, each carrying the event as it came: a Responses client is
// sent the upstream's own events, and the canonical events are what the commit point, the watchdogs and the finish
// check read. https://platform.openai.com/docs/api-reference/responses-streaming

import { type KeySource, streamCutError } from "../../api/errors.ts";
import { OPENAI_RESPONSES_ORIGIN } from "../../api/openai-responses/reasoning-envelope.ts";
import { canonicalUsageOf, type ResponsesUsageLike } from "../../api/openai-responses/usage.ts";
import type { StreamEvent, StreamFrame } from "../../canonical/stream.ts";
import type { Logger } from "../../log/logger.ts";
import type { EventSourceMessage } from "../event-stream.ts";
import { errorFromStreamEvent } from "./errors.ts";
import { stopReasonOf } from "./responses-response.ts";

/** The fields of an event this reads; every event is forwarded whole whatever else it holds. */
interface ResponsesEvent {
  type?: unknown;
  output_index?: unknown;
  content_index?: unknown;
  summary_index?: unknown;
  delta?: unknown;
  item?: { type?: unknown; id?: unknown; call_id?: unknown; name?: unknown; encrypted_content?: unknown };
  part?: { type?: unknown };
  response?: {
    id?: unknown;
    model?: unknown;
    created_at?: unknown;
    status?: unknown;
    incomplete_details?: { reason?: string | null } | null;
    error?: { code?: unknown; message?: unknown } | null;
    usage?: ResponsesUsageLike | null;
  };
}

/** An in-band failure's HTTP status, as the code names it: routing decides on it as on a status. */
function statusOfCode(code: unknown): number {
  if (code === "rate_limit_exceeded" || code === "insufficient_quota") return 429;
  if (code === "server_error") return 500;
  if (code === "server_is_overloaded" || code === "slow_down") return 503;
  return 502;
}

const text = (value: unknown): string => (typeof value === "string" ? value : "");

/**
 * Block indexes by where the block sits in the response: an output item (function call, reasoning, hosted tool)
 * or a content part of a message item. `response.completed` or `response.incomplete` marks the answer whole;
 * `response.failed` and `error` fail the stream; a body that ends before any of them is a cut.
 */
export function responsesStreamTransformer(
  providerId: string,
  logger: Logger,
  keySource: KeySource,
): Transformer<EventSourceMessage, StreamFrame> {
  let done = false;
  let nextIndex = 0;
  let calls = false;
  const indexes = new Map<string, number>();
  /** The blocks each output item opened, closed with it. */
  const byItem = new Map<number, number[]>();

  function open(key: string, outputIndex: number): number {
    const index = nextIndex++;
    indexes.set(key, index);
    const list = byItem.get(outputIndex);
    if (list) list.push(index);
    else byItem.set(outputIndex, [index]);
    return index;
  }

  function read(event: ResponsesEvent, out: StreamEvent[]): void {
    const outputIndex = typeof event.output_index === "number" ? event.output_index : 0;
    switch (event.type) {
      case "response.created": {
        const response = event.response ?? {};
        out.push({
          type: "start",
          id: text(response.id),
          model: text(response.model),
          created: typeof response.created_at === "number" ? response.created_at : 0,
        });
        return;
      }
      case "response.output_item.added": {
        const item = event.item ?? {};
        if (item.type === "message") return; // its content parts open the blocks
        const key = `o${outputIndex}`;
        if (item.type === "function_call") {
          calls = true;
          const index = open(key, outputIndex);
          out.push({
            type: "block_start",
            index,
            block: { type: "tool_call", id: text(item.call_id), name: text(item.name) },
          });
        } else if (item.type === "reasoning") {
          const index = open(key, outputIndex);
          out.push({
            type: "block_start",
            index,
            block: { type: "thinking", origin: OPENAI_RESPONSES_ORIGIN },
          });
        } else {
          const index = open(key, outputIndex);
          out.push({
            type: "block_start",
            index,
            block: { type: "server_tool_call", id: text(item.id), name: text(item.type) },
          });
        }
        return;
      }
      case "response.content_part.added": {
        const kind = event.part?.type === "refusal" ? "refusal" : "text";
        const index = open(`o${outputIndex}c${String(event.content_index)}`, outputIndex);
        out.push({ type: "block_start", index, block: { type: kind } });
        return;
      }
      case "response.output_text.delta":
      case "response.refusal.delta": {
        const index = indexes.get(`o${outputIndex}c${String(event.content_index)}`);
        if (index === undefined) return;
        const delta = text(event.delta);
        out.push({
          type: "block_delta",
          index,
          delta:
            event.type === "response.refusal.delta"
              ? { type: "refusal", text: delta }
              : { type: "text", text: delta },
        });
        return;
      }
      case "response.function_call_arguments.delta": {
        const index = indexes.get(`o${outputIndex}`);
        if (index !== undefined)
          out.push({ type: "block_delta", index, delta: { type: "arguments", json: text(event.delta) } });
        return;
      }
      case "response.reasoning_summary_text.delta":
      case "response.reasoning_text.delta": {
        const index = indexes.get(`o${outputIndex}`);
        if (index !== undefined)
          out.push({ type: "block_delta", index, delta: { type: "thinking", text: text(event.delta) } });
        return;
      }
      case "response.output_item.done": {
        const blocks = byItem.get(outputIndex) ?? [];
        const signature = event.item?.type === "reasoning" ? text(event.item.encrypted_content) : "";
        for (const index of blocks) {
          if (signature !== "")
            out.push({ type: "block_delta", index, delta: { type: "signature", signature } });
          out.push({ type: "block_stop", index });
        }
        byItem.delete(outputIndex);
        return;
      }
      case "response.completed":
      case "response.incomplete": {
        const response = event.response ?? {};
        if (response.usage) out.push({ type: "usage", usage: canonicalUsageOf(response.usage) });
        out.push({
          type: "finish",
          stopReason: stopReasonOf(
            { status: text(response.status), incomplete_details: response.incomplete_details ?? null },
            calls,
          ),
        });
        done = true;
        return;
      }
    }
  }

  return {
    transform(message, controller) {
      if (done) return;
      let event: ResponsesEvent;
      try {
        event = JSON.parse(message.data) as ResponsesEvent;
      } catch {
        logger.warn("skipped an upstream stream event that is not JSON", {
          provider: providerId,
          bytes: message.data.length,
        });
        return;
      }
      if (event === null || typeof event !== "object") return;
      if (event.type === "error" || event.type === "response.failed") {
        const error =
          event.type === "error" ? (event as { error?: { code?: unknown } }).error : event.response?.error;
        const status = statusOfCode(error?.code);
        // As for a chat stream's in-band error: a 401/403 here never disables the configured key.
        controller.error(
          errorFromStreamEvent(
            providerId,
            { error },
            keySource === "configured" ? "none" : keySource,
            status,
          ),
        );
        return;
      }
      const events: StreamEvent[] = [];
      read(event, events);
      // Every event goes to a Responses client as it came, read or not (hosted tool progress, annotations...).
      controller.enqueue({
        events,
        raw: {
          dialect: "openai-responses",
          data: message.data,
          ...(message.event ? { event: message.event } : {}),
          continuable: false,
        },
      });
      if (done) controller.terminate();
    },
    flush(controller) {
      if (!done) controller.error(streamCutError(providerId));
    },
  };
}
