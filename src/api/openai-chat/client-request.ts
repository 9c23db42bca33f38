// A validated OpenAI Chat request as routing and adapters carry it: its canonical form and the client's own body.
import type { OriginalRequest } from "../../canonical/dialect.ts";
import type { CanonicalRequest } from "../../canonical/request.ts";
import type { ChatRequest } from "../chat.ts";
import { chatToCanonical } from "./to-canonical.ts";

export function chatClientRequest(chat: ChatRequest): {
  canonical: CanonicalRequest;
  original: OriginalRequest;
} {
  return { canonical: chatToCanonical(chat), original: { dialect: "openai-chat", body: chat } };
}
