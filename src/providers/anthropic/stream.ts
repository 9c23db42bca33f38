// Anthropic Messages stream events -> canonical stream frames: a stateful transform, one frame per event (with the
// event's own bytes), a cut reported when the body ends before message_stop.
// Event flow: https://docs.anthropic.com/en/docs/build-with-claude/streaming
import type { z } from "zod";
import { type KeySource, streamCutError } from "../../api/errors.ts";
import type { BlockStart, StreamEvent, StreamFrame } from "../../canonical/stream.ts";
import type { Logger } from "../../log/logger.ts";
import type { EventSourceMessage } from "../event-stream.ts";
import type { IdSource } from "../types.ts";
import { errorFromStreamEvent } from "./errors.ts";
import { REASONING_FORMAT } from "./reasoning.ts";
import { argumentsText, serverToolResultOf, stopReasonOf, usageOf } from "./response.ts";
import {
  type AnthropicContentBlock,
  type AnthropicUsage,
  blockDeltaSchema,
  blockStartSchema,
  blockStopSchema,
  messageDeltaSchema,
  messageStartSchema,
} from "./wire.ts";

export interface StreamContext {
  providerId: string;
  /** Makes the answer's id when message_start names none. */
  newId: IdSource;
  /** Seconds since the epoch. */
  created: number;
  keySource: KeySource;
  logger: Logger;
  /** Whitespace trimmed off a prefill that the client already has; dropped from the continuation's start. */
  skipLeading?: string;
}

/**
 * What is known of an open block. A tool call's (or server tool call's) input streams as input_json_delta; when
 * none with content came, the input was whole at block start and goes out at the block's end.
 */
type OpenBlock = { kind: "content" } | { kind: "call"; streamed: boolean; startInput: unknown };

/** Later usage reports (message_delta) win over earlier ones (message_start) field by field. */
function mergeUsage(current: AnthropicUsage, next: AnthropicUsage | null | undefined): AnthropicUsage {
  if (!next) return current;
  const merged: AnthropicUsage = { ...current };
  for (const [key, value] of Object.entries(next)) if (value != null) merged[key] = value;
  return merged;
}

/** An event that does not have the shape its type promises: skipped with a warning, not fatal. */
class UnreadableEvent extends Error {}

/** The event read with its schema (each built once, in wire.ts); one of the wrong shape is UnreadableEvent. */
function read<T>(schema: z.ZodType<T>, payload: unknown): T {
  const parsed = schema.safeParse(payload);
  if (!parsed.success) throw new UnreadableEvent();
  return parsed.data;
}

/** Every event names its type in its data (the SSE `event:` line repeats it, and a replay may lack that line). */
function typeOf(payload: unknown, fallback: string | undefined): string {
  if (
    payload !== null &&
    typeof payload === "object" &&
    "type" in payload &&
    typeof payload.type === "string"
  ) {
    return payload.type;
  }
  return fallback ?? "";
}

/** A content block's start in canonical terms, or undefined for a block type with no canonical form. */
function blockStartOf(block: AnthropicContentBlock): BlockStart | undefined {
  switch (block.type) {
    case "text":
      return { type: "text" };
    case "thinking":
      return { type: "thinking", origin: REASONING_FORMAT };
    case "redacted_thinking":
      return { type: "redacted_thinking", data: block.data ?? "", origin: REASONING_FORMAT };
    case "tool_use":
      return block.id && block.name ? { type: "tool_call", id: block.id, name: block.name } : undefined;
    case "server_tool_use":
      return block.id && block.name
        ? { type: "server_tool_call", id: block.id, name: block.name }
        : undefined;
    default: {
      const result = serverToolResultOf(block);
      if (!result) return undefined;
      return {
        type: "server_tool_result",
        callId: result.callId,
        resultType: result.resultType,
        content: result.content,
      };
    }
  }
}

export function anthropicStreamTransformer(
  context: StreamContext,
): Transformer<EventSourceMessage, StreamFrame> {
  let usage: AnthropicUsage = {};
  let stopReason: string | null = null;
  let stopSequence: string | null = null;
  let finished = false;
  let pendingSkip = context.skipLeading ?? "";
  const blocks = new Map<number, OpenBlock>();

  /** Drops the start of the continuation while it repeats the whitespace the client already has. */
  function skipRepeatedWhitespace(text: string): string {
    if (!pendingSkip || text === "") return text;
    if (text.startsWith(pendingSkip)) {
      const rest = text.slice(pendingSkip.length);
      pendingSkip = "";
      return rest;
    }
    if (pendingSkip.startsWith(text)) {
      pendingSkip = pendingSkip.slice(text.length);
      return "";
    }
    pendingSkip = "";
    return text;
  }

  function onBlockStart(payload: unknown, out: StreamEvent[]): void {
    const { index, content_block: block } = read(blockStartSchema, payload);
    const start = blockStartOf(block);
    // A block with no canonical form: its deltas and stop are skipped too, as the block is not in `blocks`.
    if (!start) return;
    const isCall = start.type === "tool_call" || start.type === "server_tool_call";
    blocks.set(
      index,
      isCall ? { kind: "call", streamed: false, startInput: block.input } : { kind: "content" },
    );
    out.push({ type: "block_start", index, block: start });
    // A block start may already hold content (it is usually empty): it goes out as the block's first delta.
    if (start.type === "text") {
      const text = skipRepeatedWhitespace(block.text ?? "");
      if (text) out.push({ type: "block_delta", index, delta: { type: "text", text } });
      for (const citation of block.citations ?? []) {
        out.push({ type: "block_delta", index, delta: { type: "citation", citation } });
      }
    } else if (start.type === "thinking") {
      if (block.thinking)
        out.push({ type: "block_delta", index, delta: { type: "thinking", text: block.thinking } });
      if (block.signature) {
        out.push({ type: "block_delta", index, delta: { type: "signature", signature: block.signature } });
      }
    }
  }

  function onBlockDelta(payload: unknown, out: StreamEvent[]): void {
    const { index, delta } = read(blockDeltaSchema, payload);
    const block = blocks.get(index);
    if (!block) return;
    switch (delta.type) {
      case "text_delta": {
        const text = skipRepeatedWhitespace(delta.text ?? "");
        if (text) out.push({ type: "block_delta", index, delta: { type: "text", text } });
        return;
      }
      case "thinking_delta":
        if (delta.thinking)
          out.push({ type: "block_delta", index, delta: { type: "thinking", text: delta.thinking } });
        return;
      case "signature_delta":
        if (delta.signature) {
          out.push({ type: "block_delta", index, delta: { type: "signature", signature: delta.signature } });
        }
        return;
      case "input_json_delta":
        if (block.kind === "call" && delta.partial_json) {
          block.streamed = true;
          out.push({ type: "block_delta", index, delta: { type: "arguments", json: delta.partial_json } });
        }
        return;
      // https://docs.anthropic.com/en/docs/build-with-claude/citations#streaming-support
      case "citations_delta":
        if (delta.citation != null)
          out.push({ type: "block_delta", index, delta: { type: "citation", citation: delta.citation } });
        return;
    }
  }

  function onBlockStop(payload: unknown, out: StreamEvent[]): void {
    const { index } = read(blockStopSchema, payload);
    const block = blocks.get(index);
    if (!block) return;
    // No input_json_delta with content: the input was whole at block start ({} for a tool without arguments).
    if (block.kind === "call" && !block.streamed) {
      out.push({
        type: "block_delta",
        index,
        delta: { type: "arguments", json: argumentsText(block.startInput) },
      });
    }
    blocks.delete(index);
    out.push({ type: "block_stop", index });
  }

  function onEvent(type: string, payload: unknown, out: StreamEvent[]): void {
    switch (type) {
      case "message_start": {
        const { message } = read(messageStartSchema, payload);
        const id = message.id || context.newId("chatcmpl-");
        out.push({ type: "start", id, model: message.model ?? "", created: context.created });
        if (message.usage) {
          usage = mergeUsage(usage, message.usage);
          out.push({ type: "usage", usage: usageOf(usage) });
        }
        return;
      }
      case "content_block_start":
        return onBlockStart(payload, out);
      case "content_block_delta":
        return onBlockDelta(payload, out);
      case "content_block_stop":
        return onBlockStop(payload, out);
      case "message_delta": {
        const event = read(messageDeltaSchema, payload);
        stopReason = event.delta?.stop_reason ?? stopReason;
        stopSequence = event.delta?.stop_sequence ?? stopSequence;
        if (event.usage) {
          usage = mergeUsage(usage, event.usage);
          out.push({ type: "usage", usage: usageOf(usage) });
        }
        return;
      }
      case "message_stop": {
        finished = true;
        // A message_stop without a stop reason before it still ends the turn.
        const reason = stopReasonOf(stopReason) ?? "end_turn";
        out.push(
          reason === "stop_sequence" && stopSequence
            ? { type: "finish", stopReason: reason, stopSequence }
            : { type: "finish", stopReason: reason },
        );
        return;
      }
      case "error":
        throw errorFromStreamEvent(context.providerId, payload, context.keySource);
      default:
        // ping, and event types added after this was written: nothing in canonical terms, the bytes still pass.
        return;
    }
  }

  return {
    transform(message, controller) {
      if (finished) return;
      let payload: unknown;
      try {
        payload = JSON.parse(message.data);
      } catch {
        context.logger.warn("skipped an Anthropic stream event that is not JSON", {
          provider: context.providerId,
        });
        return;
      }
      const type = typeOf(payload, message.event);
      const events: StreamEvent[] = [];
      try {
        onEvent(type, payload, events);
      } catch (error) {
        if (!(error instanceof UnreadableEvent)) throw error;
        context.logger.warn("skipped an Anthropic stream event that could not be read", {
          provider: context.providerId,
          event: type,
        });
        return;
      }
      const frame: StreamFrame = {
        events,
        raw:
          message.event === undefined
            ? { dialect: "anthropic-messages", data: message.data }
            : { dialect: "anthropic-messages", data: message.data, event: message.event },
      };
      controller.enqueue(frame);
    },
    flush() {
      if (!finished) throw streamCutError(context.providerId);
    },
  };
}
