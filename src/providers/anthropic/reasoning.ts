// The round-trip field that lets Anthropic thinking blocks (and their signatures) survive a trip through the client.
//
// Anthropic requires the thinking / redacted_thinking blocks of an assistant turn to come back unchanged, signature
// included, when a tool-using conversation continues: https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking
// `reasoning_content` carries the text for display but not the signature, so assistant messages (and stream deltas)
// also carry `reasoning_details`, in the shape OpenRouter uses for the same job, which clients that speak
// OpenRouter already keep and send back:
//   { type: "reasoning.text", text, signature, format: "anthropic-claude-v1", index }   <- a thinking block
//   { type: "reasoning.encrypted", data, format: "anthropic-claude-v1", index }         <- a redacted_thinking block
// https://openrouter.ai/docs/use-cases/reasoning-tokens
// The request translator rebuilds the blocks from it, in order, ahead of the turn's text and tool_use blocks.
import type Anthropic from "@anthropic-ai/sdk";
import { z } from "zod";

export const REASONING_FORMAT = "anthropic-claude-v1";

export type ReasoningDetail =
  | { type: "reasoning.text"; text: string; signature: string; format: string; index: number }
  | { type: "reasoning.encrypted"; data: string; format: string; index: number };

export type ThinkingBlockParam = Anthropic.ThinkingBlockParam | Anthropic.RedactedThinkingBlockParam;

export function thinkingDetail(text: string, signature: string, index: number): ReasoningDetail {
  return { type: "reasoning.text", text, signature, format: REASONING_FORMAT, index };
}

export function redactedDetail(data: string, index: number): ReasoningDetail {
  return { type: "reasoning.encrypted", data, format: REASONING_FORMAT, index };
}

// Lenient: a client may drop `format` or `index`; anything else in the array is somebody else's and is skipped.
const textDetailSchema = z.looseObject({
  type: z.literal("reasoning.text"),
  text: z.string().nullish(),
  signature: z.string().min(1),
  format: z.string().nullish(),
  index: z.number().nullish(),
});
const encryptedDetailSchema = z.looseObject({
  type: z.literal("reasoning.encrypted"),
  data: z.string().min(1),
  format: z.string().nullish(),
  index: z.number().nullish(),
});
const detailSchema = z.union([textDetailSchema, encryptedDetailSchema]);

/** Rebuilds an assistant turn's thinking blocks; `skipped` counts entries that could not be used. */
export function thinkingBlocksFrom(details: unknown): { blocks: ThinkingBlockParam[]; skipped: number } {
  if (!Array.isArray(details)) return { blocks: [], skipped: 0 };
  const usable: Array<{ order: number; block: ThinkingBlockParam }> = [];
  let skipped = 0;
  details.forEach((item, position) => {
    const parsed = detailSchema.safeParse(item);
    // Another provider's reasoning (after a failover) has a format of its own; Anthropic would reject it.
    if (!parsed.success || (parsed.data.format != null && parsed.data.format !== REASONING_FORMAT)) {
      skipped += 1;
      return;
    }
    const detail = parsed.data;
    const order = detail.index ?? position;
    if (detail.type === "reasoning.text") {
      usable.push({
        order,
        block: { type: "thinking", thinking: detail.text ?? "", signature: detail.signature },
      });
    } else {
      usable.push({ order, block: { type: "redacted_thinking", data: detail.data } });
    }
  });
  usable.sort((a, b) => a.order - b.order);
  return { blocks: usable.map((entry) => entry.block), skipped };
}
