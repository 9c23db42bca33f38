// Canonical stream frames -> Anthropic Messages stream events: the upstream's own events when it spoke this dialect
// (an Anthropic target), else a rendering. https://docs.anthropic.com/en/docs/build-with-claude/streaming
//
// message_start, ping, then per block content_block_start / content_block_delta (text_delta, input_json_delta,
// thinking_delta, signature_delta, citations_delta) / content_block_stop, then message_delta (stop reason, usage)
// and message_stop. The canonical events are followed even while the upstream's bytes are forwarded, so that a
// continuation after a cut (rendered, with the client's block numbers) goes on from where the forwarded stream was.

import type { ThinkingBlock } from "../../canonical/content.ts";
import type { CanonicalUsage, StopReason } from "../../canonical/response.ts";
import type { BlockStart, StreamEvent, StreamFrame } from "../../canonical/stream.ts";
import type { IdSource } from "../../providers/types.ts";
import { namedFrame } from "../../runtime/sse-writer.ts";
import { messageId, messagesStopReason } from "./render.ts";
import type { MessageObject } from "./schema.ts";
import { redactedDataOut, signatureOut } from "./thinking-signature.ts";
import { messagesUsageOf } from "./usage.ts";

export interface MessagesStreamRenderer {
  /** The events for one frame, each framed as its SSE event. */
  render(frame: StreamFrame): string[];
  /** After the last frame of a whole answer: the open blocks' stops, message_delta and message_stop. */
  end(): string[];
}

/** A block the client has seen start and not stop, by its canonical index. */
interface Open {
  /** Its index in the client's stream. */
  index: number;
  kind: BlockStart["type"];
  /** A thinking block's signature, sent as one signature_delta before its stop. */
  thinking?: ThinkingBlock;
}

function event(type: string, payload: Record<string, unknown>): string {
  return namedFrame(type, JSON.stringify({ type, ...payload }));
}

/** A block's content_block_start payload. */
function startBlock(block: BlockStart): Record<string, unknown> {
  switch (block.type) {
    case "text":
    case "refusal":
      return { type: "text", text: "" };
    case "thinking":
      return { type: "thinking", thinking: "", signature: "" };
    case "redacted_thinking":
      return { type: "redacted_thinking", data: redactedDataOut(block) };
    case "tool_call":
      return { type: "tool_use", id: block.id, name: block.name, input: {} };
    case "server_tool_call":
      return { type: "server_tool_use", id: block.id, name: block.name, input: {} };
    case "server_tool_result":
      return { type: block.resultType, tool_use_id: block.callId, content: block.content };
  }
}

export function createMessagesStreamRenderer(options: { newId: IdSource }): MessagesStreamRenderer {
  let id = "";
  let model = "";
  let started = false;
  let sawStart = false;
  let usage: CanonicalUsage | undefined;
  let stop: StopReason | null = null;
  let stopSequence: string | undefined;
  let toolCalls = false;
  /** The forwarded upstream stream ended with its own message_stop: nothing is left to write. */
  let closedUpstream = false;
  let nextIndex = 0;
  const open = new Map<number, Open>();

  /** message_start (with the usage known so far) and a ping, once, before any block. */
  function begin(out: string[]): void {
    if (started) return;
    started = true;
    const message: MessageObject = {
      id: messageId(id, options.newId),
      type: "message",
      role: "assistant",
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: messagesUsageOf(usage),
    };
    out.push(event("message_start", { message }));
    out.push(event("ping", {}));
  }

  function blockStart(item: Extract<StreamEvent, { type: "block_start" }>, out: string[]): void {
    begin(out);
    const index = nextIndex++;
    const state: Open = { index, kind: item.block.type };
    if (item.block.type === "thinking") {
      state.thinking = { type: "thinking", text: "" };
      if (item.block.origin !== undefined) state.thinking.origin = item.block.origin;
    }
    if (item.block.type === "tool_call") toolCalls = true;
    open.set(item.index, state);
    out.push(event("content_block_start", { index, content_block: startBlock(item.block) }));
  }

  function blockDelta(item: Extract<StreamEvent, { type: "block_delta" }>, out: string[]): void {
    const state = open.get(item.index);
    if (!state) return;
    const delta = item.delta;
    const at = { index: state.index };
    switch (delta.type) {
      case "text":
      case "refusal":
        if (delta.text !== "")
          out.push(event("content_block_delta", { ...at, delta: { type: "text_delta", text: delta.text } }));
        return;
      case "thinking":
        if (delta.text !== "" && state.thinking) {
          state.thinking.text += delta.text;
          out.push(
            event("content_block_delta", { ...at, delta: { type: "thinking_delta", thinking: delta.text } }),
          );
        }
        return;
      case "signature":
        if (state.thinking) {
          state.thinking.signature = (state.thinking.signature ?? "") + delta.signature;
          if (delta.origin !== undefined) state.thinking.origin = delta.origin;
        }
        return;
      case "arguments":
        if (delta.json !== "")
          out.push(
            event("content_block_delta", {
              ...at,
              delta: { type: "input_json_delta", partial_json: delta.json },
            }),
          );
        return;
      case "citation":
        out.push(
          event("content_block_delta", {
            ...at,
            delta: { type: "citations_delta", citation: delta.citation },
          }),
        );
        return;
    }
  }

  function blockStop(canonicalIndex: number, out: string[]): void {
    const state = open.get(canonicalIndex);
    if (!state) return;
    open.delete(canonicalIndex);
    if (state.thinking?.signature) {
      const signature = signatureOut(state.thinking);
      out.push(
        event("content_block_delta", { index: state.index, delta: { type: "signature_delta", signature } }),
      );
    }
    out.push(event("content_block_stop", { index: state.index }));
  }

  function renderEvent(item: StreamEvent, out: string[]): void {
    switch (item.type) {
      case "start":
        if (!sawStart) {
          sawStart = true;
          id = item.id;
          model = item.model;
        }
        return;
      case "block_start":
        return blockStart(item, out);
      case "block_delta":
        return blockDelta(item, out);
      case "block_stop":
        return blockStop(item.index, out);
      case "usage":
        usage = item.usage;
        return;
      case "finish":
        stop = item.stopReason;
        stopSequence = item.stopSequence;
        return;
    }
  }

  /** The state a forwarded event leaves: the client's block numbers are the upstream's. */
  function follow(item: StreamEvent): void {
    switch (item.type) {
      case "start":
        started = true;
        sawStart = true;
        return;
      case "block_start":
        open.set(item.index, { index: item.index, kind: item.block.type });
        nextIndex = Math.max(nextIndex, item.index + 1);
        return;
      case "block_stop":
        open.delete(item.index);
        return;
      case "finish":
        closedUpstream = true;
        return;
      default:
        return;
    }
  }

  return {
    render(item) {
      if (item.raw?.dialect === "anthropic-messages") {
        for (const canonical of item.events) follow(canonical);
        // A multi-line data field reaches us joined with "\n"; forwarded as is it would break the client's framing.
        const data = /[\r\n]/.test(item.raw.data) ? JSON.stringify(JSON.parse(item.raw.data)) : item.raw.data;
        const name = item.raw.event ?? (JSON.parse(data) as { type?: string }).type ?? "message";
        return [namedFrame(name, data)];
      }
      const out: string[] = [];
      for (const canonical of item.events) renderEvent(canonical, out);
      return out;
    },
    end() {
      if (closedUpstream) return [];
      const out: string[] = [];
      begin(out);
      for (const index of [...open.keys()]) blockStop(index, out);
      const reason = messagesStopReason(stop, toolCalls);
      const final = messagesUsageOf(usage);
      out.push(
        event("message_delta", {
          delta: {
            stop_reason: reason,
            stop_sequence: reason === "stop_sequence" ? (stopSequence ?? null) : null,
          },
          usage: final,
        }),
      );
      out.push(event("message_stop", {}));
      return out;
    },
  };
}
