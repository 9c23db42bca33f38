// Tool call ids for Gemini, which has none: a unique id per call that also carries the call's thought signature.
//
// Gemini 3 rejects a multi-turn tool conversation whose functionCall parts lost their thoughtSignature
// (https://ai.google.dev/gemini-api/docs/thought-signatures). An OpenAI client gives nothing back but what
// it keeps, and the one field of a tool call that every client returns unchanged is its `id` (it must, to
// pair the tool result). So the signature rides in the id, after a marker, in base64url so the id stays
// within [A-Za-z0-9_-] (Anthropic's tool_use id alphabet, should a rotation move the conversation there).
// Google's own OpenAI layer uses `extra_content.google.thought_signature` on the tool call instead; we read
// that too when a client sends it.

const SIGNATURE_MARK = "__gts_";

/**
 * Sent in place of a missing signature on the first call of a model turn; documented by Google for
 * histories that were not produced by Gemini (https://ai.google.dev/gemini-api/docs/thought-signatures).
 */
export const SKIP_SIGNATURE = "skip_thought_signature_validator";

function toBase64Url(base64: string): string {
  return base64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(encoded: string): string {
  const base64 = encoded.replace(/-/g, "+").replace(/_/g, "/");
  return base64 + "=".repeat((4 - (base64.length % 4)) % 4);
}

/** `baseId` (unique, from the IdSource) plus the signature when the part had one. */
export function encodeToolCallId(baseId: string, signature: string | null | undefined): string {
  if (!signature) return baseId;
  return `${baseId}${SIGNATURE_MARK}${toBase64Url(signature)}`;
}

/** The signature carried by an id made by encodeToolCallId, if any. */
export function signatureFromToolCallId(id: string): string | undefined {
  const at = id.indexOf(SIGNATURE_MARK);
  if (at < 0) return undefined;
  const encoded = id.slice(at + SIGNATURE_MARK.length);
  return /^[A-Za-z0-9_-]+$/.test(encoded) ? fromBase64Url(encoded) : undefined;
}
