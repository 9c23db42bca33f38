// Canonical stream frames -> OpenAI chat.completion.chunk JSON texts: the upstream's own bytes when it spoke this
// dialect, else a rendering. https://platform.openai.com/docs/api-reference/chat-streaming

import type { CanonicalUsage } from "../../canonical/response.ts";
import type { StreamEvent, StreamFrame } from "../../canonical/stream.ts";
import type { IdSource } from "../../providers/types.ts";
import { frame } from "../../runtime/sse-writer.ts";
import type { ChatCompletionChunk, ChunkDelta, FinishReason } from "../chat.ts";
import { finishReasonOf } from "./finish.ts";
import { detailOf } from "./reasoning-details.ts";
import { chatId } from "./render.ts";
import { chatUsageOf } from "./usage.ts";

export interface ChatStreamRenderer {
  /** The chunks for one frame, each framed as its SSE event; often none (a block start, a usage report). */
  render(frame: StreamFrame): string[];
  /** The chunks after the last frame of a complete answer: the usage chunk, when asked for. */
  end(): string[];
}

type Reasoning = { type: "thinking"; text: string; signature: string; origin?: string };

export function createChatStreamRenderer(options: {
  includeUsage: boolean;
  newId: IdSource;
}): ChatStreamRenderer {
  let id = "";
  let model = "";
  let created = 0;
  let started = false;
  let usage: CanonicalUsage | undefined;
  let toolCount = 0;
  let detailCount = 0;
  const toolIndexes = new Map<number, number>();
  const thinking = new Map<number, Reasoning>();
  const redacted = new Map<number, { data: string; origin?: string }>();

  function chunk(delta: ChunkDelta, finish: FinishReason | null = null): string {
    // The role rides on the answer's first chunk, whatever that carries: one chunk less than a role of its own.
    if (!started) {
      started = true;
      delta = { role: "assistant", ...delta };
    }
    const value: ChatCompletionChunk = {
      id,
      object: "chat.completion.chunk",
      created,
      model,
      choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
    };
    return frame(JSON.stringify(value));
  }

  function onStart(event: Extract<StreamEvent, { type: "start" }>): void {
    if (id !== "") return;
    id = chatId(event.id, options.newId);
    model = event.model;
    created = event.created;
  }

  function blockStart(event: Extract<StreamEvent, { type: "block_start" }>, out: string[]): void {
    const block = event.block;
    const origin = "origin" in block && block.origin ? { origin: block.origin } : {};
    if (block.type === "thinking") {
      thinking.set(event.index, { type: "thinking", text: "", signature: "", ...origin });
    } else if (block.type === "redacted_thinking") {
      redacted.set(event.index, { data: block.data, ...origin });
    } else if (block.type === "tool_call") {
      const index = toolCount++;
      toolIndexes.set(event.index, index);
      const call = {
        index,
        id: block.id,
        type: "function" as const,
        function: { name: block.name, arguments: "" },
      };
      out.push(chunk({ tool_calls: [call] }));
    }
  }

  function blockDelta(event: Extract<StreamEvent, { type: "block_delta" }>, out: string[]): void {
    const delta = event.delta;
    if (delta.type === "text") {
      if (delta.text !== "") out.push(chunk({ content: delta.text }));
    } else if (delta.type === "thinking") {
      const block = thinking.get(event.index);
      if (block) block.text += delta.text;
      if (delta.text !== "") out.push(chunk({ reasoning_content: delta.text }));
    } else if (delta.type === "signature") {
      const block = thinking.get(event.index);
      if (block) block.signature += delta.signature;
      if (block && delta.origin !== undefined) block.origin = delta.origin;
    } else if (delta.type === "arguments") {
      const index = toolIndexes.get(event.index);
      if (index !== undefined && delta.json !== "") {
        out.push(chunk({ tool_calls: [{ index, function: { arguments: delta.json } }] }));
      }
    } else if (delta.type === "refusal" && delta.text !== "") out.push(chunk({ refusal: delta.text }));
  }

  /** A thinking block's signature is only whole at its end: the signed block goes out then. */
  function blockStop(index: number, out: string[]): void {
    const block = thinking.get(index);
    if (block?.signature) out.push(chunk({ reasoning_details: [detailOf(block, detailCount++)] }));
    const secret = redacted.get(index);
    if (secret) {
      out.push(
        chunk({ reasoning_details: [detailOf({ type: "redacted_thinking", ...secret }, detailCount++)] }),
      );
    }
    thinking.delete(index);
    redacted.delete(index);
  }

  function renderEvent(event: StreamEvent, out: string[]): void {
    switch (event.type) {
      case "start":
        return onStart(event);
      case "block_start":
        return blockStart(event, out);
      case "block_delta":
        return blockDelta(event, out);
      case "block_stop":
        return blockStop(event.index, out);
      case "usage":
        usage = event.usage;
        return;
      case "finish":
        out.push(chunk({}, finishReasonOf(event.stopReason)));
        return;
    }
  }

  return {
    render(item) {
      if (item.raw?.dialect === "openai-chat") {
        for (const event of item.events) if (event.type === "start") onStart(event);
        started = true;
        // A multi-line data field reaches us joined with "\n"; forwarded as is it would break the client's framing.
        const data = item.raw.data;
        return [frame(/[\r\n]/.test(data) ? JSON.stringify(JSON.parse(data)) : data)];
      }
      const out: string[] = [];
      for (const event of item.events) renderEvent(event, out);
      return out;
    },
    end() {
      if (!options.includeUsage || !usage) return [];
      const value: ChatCompletionChunk = {
        id,
        object: "chat.completion.chunk",
        created,
        model,
        choices: [],
        usage: chatUsageOf(usage),
      };
      return [frame(JSON.stringify(value))];
    },
  };
}
