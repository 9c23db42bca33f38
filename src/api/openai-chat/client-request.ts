// A validated OpenAI Chat request as routing carries it: canonical form, the client's own body, the Chat shape.
import type { OriginalRequest } from "../../canonical/dialect.ts";
import type { CanonicalRequest } from "../../canonical/request.ts";
import type { ChatRequest } from "../chat.ts";
import { chatToCanonical } from "./to-canonical.ts";

export function chatClientRequest(chat: ChatRequest): {
  canonical: CanonicalRequest;
  original: OriginalRequest;
  chat: ChatRequest;
} {
  return { canonical: chatToCanonical(chat), original: { dialect: "openai-chat", body: chat }, chat };
}

/** The request fields of an adapter call for a Chat request (tests build attempts with it). */
export function chatAttemptFields(chat: ChatRequest): {
  canonical: CanonicalRequest;
  original: OriginalRequest;
  request: ChatRequest;
} {
  const { canonical, original } = chatClientRequest(chat);
  return { canonical, original, request: chat };
}
