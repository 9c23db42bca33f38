// The client dialects the gateway speaks, and a client's request as it sent it (for a provider of the same wire).
import type { ChatRequest } from "../api/chat.ts";

export type Dialect = "openai-chat" | "anthropic-messages" | "openai-responses";

/**
 * The client's own request body, kept beside its canonical form. A provider whose wire is this dialect forwards it
 * as it came (only the model replaced), so nothing the canonical model does not name is lost on the way.
 */
/** An upstream's own answer body, which a client of `dialect` can be sent as it came. */
export interface RawBody {
  dialect: Dialect;
  body: string;
}

export type OriginalRequest =
  | { dialect: "openai-chat"; body: ChatRequest }
  | { dialect: Exclude<Dialect, "openai-chat">; body: Record<string, unknown> };
