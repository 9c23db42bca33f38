// Another provider's reasoning in a Messages client's history. An Anthropic client keeps a thinking block whole and
// sends it back with its `signature` (https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking#preserving-thinking-blocks),
// so that field carries what the next turn needs: for Anthropic's own thinking, Anthropic's signature as it came;
// for Gemini's (a thought signature) or any other provider's, the gateway's envelope (the one the Responses dialect
// uses, reasoning-envelope.ts) naming whose it is, so it only ever goes back to the provider that made it.
import type { RedactedThinkingBlock, ThinkingBlock } from "../../canonical/content.ts";
import { decodeEnvelope, encodeEnvelope } from "../openai-responses/reasoning-envelope.ts";
import { ANTHROPIC_ORIGIN } from "./origin.ts";

/** Anthropic's own blocks go out as they came; another origin's are wrapped (text left out: the block has it). */
export function signatureOut(block: ThinkingBlock): string {
  if (block.origin === undefined || block.origin === ANTHROPIC_ORIGIN) return block.signature ?? "";
  return encodeEnvelope([{ ...block, text: "" }]);
}

export function redactedDataOut(block: RedactedThinkingBlock): string {
  if (block.origin === undefined || block.origin === ANTHROPIC_ORIGIN) return block.data;
  return encodeEnvelope([block]);
}

/** A thinking block a client sent back: an envelope's origin and signature, else Anthropic's signature. */
export function thinkingIn(text: string, signature: string | null | undefined): ThinkingBlock {
  const wrapped = signature ? decodeEnvelope(signature)?.[0] : undefined;
  if (wrapped?.type === "thinking") {
    const block: ThinkingBlock = { type: "thinking", text };
    if (wrapped.signature) block.signature = wrapped.signature;
    if (wrapped.origin) block.origin = wrapped.origin;
    return block;
  }
  return signature
    ? { type: "thinking", text, signature, origin: ANTHROPIC_ORIGIN }
    : { type: "thinking", text };
}

export function redactedIn(data: string): RedactedThinkingBlock {
  const wrapped = decodeEnvelope(data)?.[0];
  if (wrapped?.type === "redacted_thinking") return wrapped;
  return { type: "redacted_thinking", data, origin: ANTHROPIC_ORIGIN };
}
