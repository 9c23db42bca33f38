// Anthropic Messages stream events -> OpenAI chat.completion.chunk objects: a stateful transform, usage or a cut
// reported when the body ends. Event flow: https://docs.anthropic.com/en/docs/build-with-claude/streaming
import type { z } from "zod";
import type { ChatCompletionChunk, ChunkDelta, FinishReason } from "../../api/chat.ts";
import { streamCutError, type KeySource } from "../../api/errors.ts";
import type { Logger } from "../../log/logger.ts";
import type { EventSourceMessage } from "../event-stream.ts";
import type { StreamChunk } from "../types.ts";
import { errorFromStreamEvent } from "./errors.ts";
import { redactedDetail, thinkingDetail } from "./reasoning.ts";
import { argumentsText, finishReasonFor, toUsage } from "./response.ts";
import {
  type AnthropicUsage,
  blockDeltaSchema,
  blockStartSchema,
  blockStopSchema,
  messageDeltaSchema,
  messageStartSchema,
  streamEventTypeSchema,
} from "./wire.ts";

export interface StreamContext {
  providerId: string;
  /** The chatcmpl- id every chunk carries. */
  id: string;
  /** Seconds since the epoch, the same on every chunk. */
  created: number;
  includeUsage: boolean;
  keySource: KeySource;
  logger: Logger;
  /** Whitespace trimmed off a prefill that the client already has; dropped from the continuation's start. */
  skipLeading?: string;
}

type Block =
  | { kind: "text" }
  | { kind: "thinking"; text: string; signature: string }
  | { kind: "redacted"; data: string }
  | { kind: "tool"; toolIndex: number; sentArguments: boolean; startInput: unknown }
  | { kind: "other" };

type Emit = (delta: ChunkDelta, finish?: FinishReason | null) => void;

/** Later usage reports (message_delta) win over earlier ones (message_start) field by field. */
function mergeUsage(current: AnthropicUsage, next: AnthropicUsage | null | undefined): AnthropicUsage {
  if (!next) return current;
  const merged: AnthropicUsage = { ...current };
  for (const [key, value] of Object.entries(next)) if (value != null) merged[key] = value;
  return merged;
}

/** An event that does not have the shape its type promises: skipped with a warning, not fatal. */
class UnreadableEvent extends Error {}

/** The event read with its schema; one of the wrong shape is thrown as UnreadableEvent. */
function read<T>(schema: z.ZodType<T>, payload: unknown): T {
  const parsed = schema.safeParse(payload);
  if (!parsed.success) throw new UnreadableEvent();
  return parsed.data;
}

export function anthropicStreamTransformer(
  options: StreamContext,
): Transformer<EventSourceMessage, StreamChunk> {
  let model = "";
  let usage: AnthropicUsage = {};
  let stopReason: string | null = null;
  let finished = false;
  let toolCount = 0;
  let reasoningCount = 0;
  let pendingSkip = options.skipLeading ?? "";
  const blocks = new Map<number, Block>();

  function makeChunk(delta: ChunkDelta, finish: FinishReason | null): ChatCompletionChunk {
    return {
      id: options.id,
      object: "chat.completion.chunk",
      created: options.created,
      model,
      choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
    };
  }

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

  function onBlockStart(payload: unknown, emit: Emit): void {
    const event = read(blockStartSchema, payload);
    const block = event.content_block;
    if (block.type === "text") {
      blocks.set(event.index, { kind: "text" });
      const text = skipRepeatedWhitespace(block.text ?? "");
      if (text) emit({ content: text });
    } else if (block.type === "thinking") {
      blocks.set(event.index, {
        kind: "thinking",
        text: block.thinking ?? "",
        signature: block.signature ?? "",
      });
      if (block.thinking) emit({ reasoning_content: block.thinking });
    } else if (block.type === "redacted_thinking") {
      blocks.set(event.index, { kind: "redacted", data: block.data ?? "" });
    } else if (block.type === "tool_use" && block.id && block.name) {
      const toolIndex = toolCount++;
      blocks.set(event.index, { kind: "tool", toolIndex, sentArguments: false, startInput: block.input });
      const call = {
        index: toolIndex,
        id: block.id,
        type: "function" as const,
        function: { name: block.name, arguments: "" },
      };
      emit({ tool_calls: [call] });
    } else {
      // Server tool blocks and the like: nothing an OpenAI client can use.
      blocks.set(event.index, { kind: "other" });
    }
  }

  function onBlockDelta(payload: unknown, emit: Emit): void {
    const event = read(blockDeltaSchema, payload);
    const block = blocks.get(event.index);
    const delta = event.delta;
    if (delta.type === "text_delta" && delta.text) {
      const text = skipRepeatedWhitespace(delta.text);
      if (text) emit({ content: text });
    } else if (delta.type === "thinking_delta" && block?.kind === "thinking") {
      block.text += delta.thinking ?? "";
      if (delta.thinking) emit({ reasoning_content: delta.thinking });
    } else if (delta.type === "signature_delta" && block?.kind === "thinking") {
      block.signature += delta.signature ?? "";
    } else if (delta.type === "input_json_delta" && block?.kind === "tool" && delta.partial_json) {
      block.sentArguments = true;
      emit({ tool_calls: [{ index: block.toolIndex, function: { arguments: delta.partial_json } }] });
    }
  }

  /** Closing a block sends what only exists once it is whole: the signed reasoning, a tool call's empty input. */
  function onBlockStop(payload: unknown, emit: Emit): void {
    const event = read(blockStopSchema, payload);
    const block = blocks.get(event.index);
    if (block?.kind === "thinking") {
      emit({ reasoning_details: [thinkingDetail(block.text, block.signature, reasoningCount++)] });
    } else if (block?.kind === "redacted" && block.data) {
      emit({ reasoning_details: [redactedDetail(block.data, reasoningCount++)] });
    } else if (block?.kind === "tool" && !block.sentArguments) {
      // No input_json_delta with content: the input is whole at block start ({} for a tool without arguments).
      emit({
        tool_calls: [{ index: block.toolIndex, function: { arguments: argumentsText(block.startInput) } }],
      });
    }
  }

  function onEvent(type: string, payload: unknown, emit: Emit): void {
    switch (type) {
      case "message_start": {
        const event = read(messageStartSchema, payload);
        model = event.message.model ?? model;
        usage = mergeUsage(usage, event.message.usage);
        emit({ role: "assistant", content: "" });
        return;
      }
      case "content_block_start":
        return onBlockStart(payload, emit);
      case "content_block_delta":
        return onBlockDelta(payload, emit);
      case "content_block_stop":
        return onBlockStop(payload, emit);
      case "message_delta": {
        const event = read(messageDeltaSchema, payload);
        stopReason = event.delta?.stop_reason ?? stopReason;
        usage = mergeUsage(usage, event.usage);
        return;
      }
      case "message_stop":
        finished = true;
        emit({}, finishReasonFor(stopReason));
        return;
      case "error":
        throw errorFromStreamEvent(options.providerId, payload, options.keySource);
      default:
        // ping, and event types added after this was written: nothing for the client.
        return;
    }
  }

  return {
    transform(message, controller) {
      if (finished) return;
      const emit: Emit = (delta, finish = null) => controller.enqueue({ chunk: makeChunk(delta, finish) });
      let payload: unknown;
      try {
        payload = JSON.parse(message.data);
      } catch {
        options.logger.warn("skipped an Anthropic stream event that is not JSON", {
          provider: options.providerId,
        });
        return;
      }
      const type = streamEventTypeSchema.safeParse(payload);
      const eventType = type.success ? type.data.type : (message.event ?? "");
      try {
        onEvent(eventType, payload, emit);
      } catch (error) {
        if (!(error instanceof UnreadableEvent)) throw error;
        options.logger.warn("skipped an Anthropic stream event that could not be read", {
          provider: options.providerId,
          event: eventType,
        });
      }
    },
    flush(controller) {
      if (!finished) throw streamCutError(options.providerId);
      if (!options.includeUsage) return;
      controller.enqueue({
        chunk: {
          id: options.id,
          object: "chat.completion.chunk",
          created: options.created,
          model,
          choices: [],
          usage: toUsage(usage),
        },
      });
    },
  };
}
