// A reasoning item's encrypted_content when the reasoning is not OpenAI's: what the next turn must send back to the
// provider that reasoned (Anthropic's signed thinking and redacted thinking, Gemini's thought signatures), in a
// versioned envelope of the gateway's own. The Responses API has the client return a reasoning item's
// encrypted_content unchanged (https://platform.openai.com/docs/guides/reasoning#encrypted-reasoning-items), which is
// exactly the round trip these signatures need.
//
//   "aisbf.v1." + base64url(JSON {blocks: [{type: "thinking", text, signature, origin} | {type: "redacted", data, origin}]})
//
// Not a secret: the provider's own signature is what proves the text unaltered; the envelope only carries it.
import { Buffer } from "node:buffer";
import { z } from "zod";
import type { RedactedThinkingBlock, ThinkingBlock } from "../../canonical/content.ts";

const PREFIX = "aisbf.v1.";

const envelopeSchema = z.object({
  blocks: z.array(
    z.union([
      z.object({
        type: z.literal("thinking"),
        text: z.string(),
        signature: z.string().optional(),
        origin: z.string().optional(),
      }),
      z.object({ type: z.literal("redacted"), data: z.string(), origin: z.string().optional() }),
    ]),
  ),
});

export type ReasoningBlock = ThinkingBlock | RedactedThinkingBlock;

/** Whether a block carries something a provider needs back (a signature, or encrypted data). */
export function needsEnvelope(block: ReasoningBlock): boolean {
  return block.type === "redacted_thinking" || (block.signature ?? "") !== "";
}

export function encodeEnvelope(blocks: ReasoningBlock[]): string {
  const entries = blocks.map((block) =>
    block.type === "thinking"
      ? {
          type: "thinking" as const,
          text: block.text,
          ...(block.signature ? { signature: block.signature } : {}),
          ...(block.origin ? { origin: block.origin } : {}),
        }
      : { type: "redacted" as const, data: block.data, ...(block.origin ? { origin: block.origin } : {}) },
  );
  return PREFIX + Buffer.from(JSON.stringify({ blocks: entries }), "utf8").toString("base64url");
}

/** The blocks of a gateway envelope; undefined for anything else (OpenAI's own encrypted reasoning). */
export function decodeEnvelope(content: string): ReasoningBlock[] | undefined {
  if (!content.startsWith(PREFIX)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(content.slice(PREFIX.length), "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
  const parsed = envelopeSchema.safeParse(json);
  if (!parsed.success) return undefined;
  return parsed.data.blocks.map((entry): ReasoningBlock => {
    if (entry.type === "redacted") {
      const block: RedactedThinkingBlock = { type: "redacted_thinking", data: entry.data };
      if (entry.origin) block.origin = entry.origin;
      return block;
    }
    const block: ThinkingBlock = { type: "thinking", text: entry.text };
    if (entry.signature) block.signature = entry.signature;
    if (entry.origin) block.origin = entry.origin;
    return block;
  });
}

/** OpenAI's own reasoning, as the canonical model names its origin. */
export const OPENAI_RESPONSES_ORIGIN = "openai-responses";
