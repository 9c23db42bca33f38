// Tool call ids for Gemini: a unique id per call that also carries Gemini's own call id and the thought signature.
//
// Gemini 3 rejects a multi-turn tool conversation whose functionCall parts lost their thoughtSignature
// (https://ai.google.dev/gemini-api/docs/thought-signatures). An OpenAI client gives nothing back but what
// it keeps, and the one field of a tool call that every client returns unchanged is its `id` (it must, to
// pair the tool result). So the signature rides in the id, after a marker, in base64url so the id stays
// within [A-Za-z0-9_-] (Anthropic's tool_use id alphabet, should a rotation move the conversation there).
// The canonical ToolCallBlock carries the signature too (`signature`), for dialects that keep a block whole; the
// request side reads the block's first, then the id's. Google's own OpenAI layer uses
// `extra_content.google.thought_signature` on the tool call instead; the Chat dialect reads that into the block.
//
// Gemini may also name a call (FunctionCall.id, "the client ... return the response with the matching id":
// https://ai.google.dev/api/caching#FunctionCall). When it does, that id is the base of ours, as
// GEMINI_ID_PREFIX + base64url(id); otherwise the base is minted by the IdSource ("call_<hex>"). The prefix
// is how the two are told apart: only a base that starts with it is sent back to Gemini as functionCall.id /
// functionResponse.id. Our minted ids start with "call_", and other providers' ids (OpenAI "call_...",
// Anthropic "toolu_...") never start with "gcall_", so they are never mistaken for Gemini's.
//
//   <base>[__gts_<base64url(signature)>]     base = call_<hex> | gcall_<base64url(Gemini's id)>

const SIGNATURE_MARK = "__gts_";
const GEMINI_ID_PREFIX = "gcall_";
const BASE64URL = /^[A-Za-z0-9_-]+$/;

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

function textToBase64Url(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return toBase64Url(btoa(binary));
}

function base64UrlToText(encoded: string): string | undefined {
  try {
    const binary = atob(fromBase64Url(encoded));
    const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * The base of a tool call id: Gemini's own call id when it gave one, else one minted by `mint`. An ASCII id
 * in base64url never holds two "_" in a row, so it cannot contain the signature marker.
 */
export function toolCallBaseId(geminiId: string | null | undefined, mint: () => string): string {
  return geminiId ? `${GEMINI_ID_PREFIX}${textToBase64Url(geminiId)}` : mint();
}

/** `baseId` (from toolCallBaseId) plus the signature when the part had one. */
export function encodeToolCallId(baseId: string, signature: string | null | undefined): string {
  if (!signature) return baseId;
  return `${baseId}${SIGNATURE_MARK}${toBase64Url(signature)}`;
}

/** The signature carried by an id made by encodeToolCallId, if any. */
export function signatureFromToolCallId(id: string): string | undefined {
  const at = id.indexOf(SIGNATURE_MARK);
  if (at < 0) return undefined;
  const encoded = id.slice(at + SIGNATURE_MARK.length);
  return BASE64URL.test(encoded) ? fromBase64Url(encoded) : undefined;
}

/** Gemini's own call id, when the id's base was made from one; undefined for ids we or others minted. */
export function geminiIdFromToolCallId(id: string): string | undefined {
  const at = id.indexOf(SIGNATURE_MARK);
  const base = at < 0 ? id : id.slice(0, at);
  if (!base.startsWith(GEMINI_ID_PREFIX)) return undefined;
  const encoded = base.slice(GEMINI_ID_PREFIX.length);
  if (!BASE64URL.test(encoded)) return undefined;
  return base64UrlToText(encoded) || undefined;
}
