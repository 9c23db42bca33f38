// The client dialects the gateway speaks, and a client's request as it sent it (for a provider of the same wire).

export type Dialect = "openai-chat" | "anthropic-messages" | "openai-responses";

/**
 * The client's own request body, kept beside its canonical form. A provider whose wire is this dialect forwards it
 * as it came (only the model replaced), so nothing the canonical model does not name is lost on the way.
 */
export interface OriginalRequest {
  dialect: Dialect;
  body: Record<string, unknown>;
}
