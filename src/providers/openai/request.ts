// Our request -> an OpenAI-compatible request: every field passes through; only the model name changes.
import type { ChatRequest } from "../../api/chat.ts";

/** The body sent upstream. A prefill (cut-stream resume) is appended as a final assistant message. */
export function toOpenAIRequest(
  request: ChatRequest,
  model: string,
  prefill?: string,
): Record<string, unknown> {
  if (prefill === undefined) return { ...request, model };
  return { ...request, model, messages: [...request.messages, { role: "assistant", content: prefill }] };
}
