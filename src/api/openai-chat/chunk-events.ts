// Pure, stateful: OpenAI chat.completion.chunk objects -> canonical stream events (what an upstream of this wire
// says, in the block-indexed terms routing and the other dialects read).
// https://platform.openai.com/docs/api-reference/chat-streaming

import { createBlockWriter } from "../../canonical/block-writer.ts";
import type { BlockDelta, StreamEvent } from "../../canonical/stream.ts";
import { type ChatCompletionChunk, createFinishTracker } from "../chat.ts";
import { stopReasonOf } from "./finish.ts";
import { blocksFromDetails } from "./reasoning-details.ts";
import { canonicalUsageOf } from "./usage.ts";

export interface ChunkEvents {
  /** The events one chunk stands for. Only the first choice is read: other choices travel in the raw bytes. */
  read(chunk: ChatCompletionChunk): StreamEvent[];
  /** Whether the answer is complete (every choice seen has finished). */
  readonly complete: boolean;
}

export function createChunkEvents(): ChunkEvents {
  const tracker = createFinishTracker();
  let started = false;
  const blocks = createBlockWriter();
  const toolBlocks = new Map<number, number>();
  const openTools = new Set<number>();
  let finished = false;

  function toolCalls(
    delta: NonNullable<ChatCompletionChunk["choices"][number]["delta"]>,
    out: StreamEvent[],
  ) {
    for (const call of delta.tool_calls ?? []) {
      let index = toolBlocks.get(call.index);
      if (index === undefined) {
        index = blocks.next(out);
        toolBlocks.set(call.index, index);
        openTools.add(index);
        out.push({
          type: "block_start",
          index,
          block: { type: "tool_call", id: call.id ?? "", name: call.function?.name ?? "" },
        });
      }
      const json = call.function?.arguments;
      if (json) out.push({ type: "block_delta", index, delta: { type: "arguments", json } });
    }
  }

  /** Signed thinking and encrypted reasoning sent back by an upstream that speaks reasoning_details. */
  function details(value: unknown, out: StreamEvent[]): void {
    for (const block of blocksFromDetails(value).blocks) {
      if (block.type === "thinking") {
        // The detail is a whole block: its text streamed before as reasoning_content, or else only here.
        const streamed = blocks.open === "thinking";
        const index = blocks.write("thinking", out);
        if (!streamed && block.text) {
          out.push({ type: "block_delta", index, delta: { type: "thinking", text: block.text } });
        }
        if (block.signature) {
          const delta: BlockDelta = { type: "signature", signature: block.signature };
          if (block.origin !== undefined) delta.origin = block.origin;
          out.push({ type: "block_delta", index, delta });
        }
        blocks.close(out);
      } else {
        const index = blocks.next(out);
        out.push({
          type: "block_start",
          index,
          block: {
            type: "redacted_thinking",
            data: block.data,
            ...(block.origin ? { origin: block.origin } : {}),
          },
        });
        out.push({ type: "block_stop", index });
      }
    }
  }

  return {
    read(chunk) {
      const out: StreamEvent[] = [];
      if (!started) {
        started = true;
        out.push({ type: "start", id: chunk.id, model: chunk.model, created: chunk.created });
      }
      tracker.see(chunk);
      const choice = chunk.choices.find((entry) => entry.index === 0);
      const delta = choice?.delta;
      if (delta) {
        if (typeof delta.reasoning_content === "string" && delta.reasoning_content !== "") {
          out.push({
            type: "block_delta",
            index: blocks.write("thinking", out),
            delta: { type: "thinking", text: delta.reasoning_content },
          });
        }
        if (delta.reasoning_details !== undefined) details(delta.reasoning_details, out);
        if (typeof delta.content === "string" && delta.content !== "") {
          out.push({
            type: "block_delta",
            index: blocks.write("text", out),
            delta: { type: "text", text: delta.content },
          });
        }
        if (typeof delta.refusal === "string" && delta.refusal !== "") {
          out.push({
            type: "block_delta",
            index: blocks.write("refusal", out),
            delta: { type: "refusal", text: delta.refusal },
          });
        }
        toolCalls(delta, out);
      }
      if (chunk.usage) out.push({ type: "usage", usage: canonicalUsageOf(chunk.usage) });
      if (!finished && tracker.complete) {
        finished = true;
        blocks.close(out);
        for (const index of openTools) out.push({ type: "block_stop", index });
        openTools.clear();
        const reason = chunk.choices.find((entry) => entry.finish_reason != null)?.finish_reason;
        out.push({ type: "finish", stopReason: stopReasonOf(reason) ?? "end_turn" });
      }
      return out;
    },
    get complete() {
      return tracker.complete;
    },
  };
}
