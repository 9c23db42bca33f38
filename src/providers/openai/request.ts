// Our request -> an OpenAI-compatible request: every field passes through; the model name changes, and tool call
// ids too long for OpenAI are shortened.
import { createHash } from "node:crypto";
import type { ChatMessage } from "../../api/chat.ts";
import type { RequestInput, Translated } from "../types.ts";

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

/** The body sent upstream. A prefill (cut-stream resume) is appended as a final assistant message. */
export function toOpenAIRequest({
  request,
  model,
  prefill,
}: RequestInput): Translated<Record<string, unknown>> {
  // The common case copies nothing: ids are checked, and messages rebuilt only when one is too long.
  let messages: ChatMessage[] = request.messages.some(hasLongId)
    ? request.messages.map(withShortIds)
    : request.messages;
  if (prefill !== undefined) messages = [...messages, { role: "assistant", content: prefill }];
  const native = messages === request.messages ? { ...request, model } : { ...request, model, messages };
  return { native, warnings: NO_WARNINGS };
}
