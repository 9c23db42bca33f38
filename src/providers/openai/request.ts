// The request -> an OpenAI-compatible body: an OpenAI client's passes through (the model name changed, tool call ids
// too long for OpenAI shortened); another dialect's is written from the canonical request.
import { createHash } from "node:crypto";
import type { ChatMessage } from "../../api/chat.ts";
import { chatRequestOf } from "../../api/openai-chat/to-chat-request.ts";
import type { OriginalRequest } from "../../canonical/dialect.ts";
import type { CanonicalInput, Translated } from "../types.ts";

/**
 * OpenAI refuses tool call ids over 40 characters ("string_above_max_length"). Ids minted elsewhere can be longer
 * (Gemini's carry a thought signature), so a conversation that started on another provider could not fail over
 * here. Long ids are replaced by a digest: deterministic, so a call and its result stay paired.
 */
export const MAX_TOOL_CALL_ID = 40;

export function shortToolCallId(id: string): string {
  if (id.length <= MAX_TOOL_CALL_ID) return id;
  return `call_${createHash("sha256")
    .update(id)
    .digest("base64url")
    .slice(0, MAX_TOOL_CALL_ID - 5)}`;
}

function hasLongId(message: ChatMessage): boolean {
  if (message.role === "tool") return message.tool_call_id.length > MAX_TOOL_CALL_ID;
  if (message.role === "assistant")
    return (message.tool_calls ?? []).some((call) => call.id.length > MAX_TOOL_CALL_ID);
  return false;
}

function withShortIds(message: ChatMessage): ChatMessage {
  if (message.role === "tool") return { ...message, tool_call_id: shortToolCallId(message.tool_call_id) };
  if (message.role === "assistant" && message.tool_calls) {
    return {
      ...message,
      tool_calls: message.tool_calls.map((call) => ({ ...call, id: shortToolCallId(call.id) })),
    };
  }
  return message;
}

/** Pass-through translates nothing, so it has nothing to warn about: one shared, frozen empty list. */
const NO_WARNINGS: string[] = Object.freeze([]) as unknown as string[];

export interface OpenAIRequestInput extends CanonicalInput {
  /** The client's own body: an OpenAI Chat client's is forwarded as it came, every field included. */
  original: OriginalRequest;
}

/** The messages with tool call ids OpenAI takes, and a prefill (cut-stream resume) as a final assistant turn. */
function finalMessages(messages: ChatMessage[], prefill: string | undefined): ChatMessage[] {
  // The common case copies nothing: ids are checked, and messages rebuilt only when one is too long.
  let out = messages.some(hasLongId) ? messages.map(withShortIds) : messages;
  // An empty prefill asks for nothing to continue: an empty assistant turn would only be refused.
  if (prefill) out = [...out, { role: "assistant", content: prefill }];
  return out;
}

/**
 * The body sent upstream. A client that spoke OpenAI Chat has its own body passed through (the model name
 * replaced); any other dialect's request is written on the Chat wire from its canonical form.
 */
export function toOpenAIRequest(input: OpenAIRequestInput): Translated<Record<string, unknown>> {
  const { original, model, prefill } = input;
  if (original.dialect === "openai-chat") {
    const request = original.body;
    const messages = finalMessages(request.messages, prefill);
    const native = messages === request.messages ? { ...request, model } : { ...request, model, messages };
    return { native, warnings: NO_WARNINGS };
  }
  const warnings = new Set<string>(input.request.notes);
  const warn = (text: string) => warnings.add(text);
  const native = chatRequestOf(input.request, model, warn);
  native.messages = finalMessages(native.messages as ChatMessage[], prefill);
  for (const field of input.request.unmapped) warn(`${field} is not supported by OpenAI and was dropped`);
  return { native, warnings: [...warnings] };
}

/**
 * A Responses client's body for a provider that speaks the Responses API: as it came, the model replaced. Hosted
 * tools, store and previous_response_id all mean there what the client meant.
 */
export function toResponsesRequest(original: OriginalRequest, model: string): Record<string, unknown> {
  return { ...original.body, model };
}
