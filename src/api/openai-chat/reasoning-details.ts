// Thinking blocks on the OpenAI Chat wire: `reasoning_details`, in the shape OpenRouter uses, carries them with their
// signatures (reasoning_content carries only the text), so a thinking model's tool loop survives a client that keeps
// only what the Chat API has. https://openrouter.ai/docs/use-cases/reasoning-tokens
//   { type: "reasoning.text", text, signature, format, index }   <- a thinking block
//   { type: "reasoning.encrypted", data, format, index }         <- a redacted_thinking block
import { z } from "zod";
import type { RedactedThinkingBlock, ThinkingBlock } from "../../canonical/content.ts";

export type ReasoningDetail =
  | { type: "reasoning.text"; text: string; signature: string; format: string; index: number }
  | { type: "reasoning.encrypted"; data: string; format: string; index: number };

/** The format named when a block says nothing of its origin. */
export const UNKNOWN_FORMAT = "unknown";

export function detailOf(block: ThinkingBlock | RedactedThinkingBlock, index: number): ReasoningDetail {
  const format = block.origin ?? UNKNOWN_FORMAT;
  return block.type === "thinking"
    ? { type: "reasoning.text", text: block.text, signature: block.signature ?? "", format, index }
    : { type: "reasoning.encrypted", data: block.data, format, index };
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

/** An assistant turn's thinking blocks, in their order; `skipped` counts entries that could not be read. */
export function blocksFromDetails(details: unknown): {
  blocks: Array<ThinkingBlock | RedactedThinkingBlock>;
  skipped: number;
} {
  if (!Array.isArray(details)) return { blocks: [], skipped: 0 };
  const usable: Array<{ order: number; block: ThinkingBlock | RedactedThinkingBlock }> = [];
  let skipped = 0;
  details.forEach((item, position) => {
    const parsed = detailSchema.safeParse(item);
    if (!parsed.success) {
      skipped += 1;
      return;
    }
    const detail = parsed.data;
    const origin = detail.format ?? undefined;
    const order = detail.index ?? position;
    const block: ThinkingBlock | RedactedThinkingBlock =
      detail.type === "reasoning.text"
        ? { type: "thinking", text: detail.text ?? "", signature: detail.signature }
        : { type: "redacted_thinking", data: detail.data };
    if (origin !== undefined) block.origin = origin;
    usable.push({ order, block });
  });
  usable.sort((a, b) => a.order - b.order);
  return { blocks: usable.map((entry) => entry.block), skipped };
}
