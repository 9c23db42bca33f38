// Pure: a canonical answer -> an Anthropic message object. https://docs.anthropic.com/en/api/messages#response-content
import type { ContentBlock } from "../../canonical/content.ts";
import type { CanonicalResponse, StopReason } from "../../canonical/response.ts";
import type { IdSource } from "../../providers/types.ts";
import type { MessageObject, MessagesStopReason, OutputBlock } from "./schema.ts";
import { redactedDataOut, signatureOut } from "./thinking-signature.ts";
import { messagesUsageOf } from "./usage.ts";

/** Anthropic's message ids start with "msg_"; another provider's id is replaced by one of ours. */
export function messageId(id: string, newId: IdSource): string {
  return id.startsWith("msg_") ? id : newId("msg_");
}

/**
 * The stop reason as Anthropic names it (https://docs.anthropic.com/en/api/handling-stop-reasons). A turn that
 * holds tool calls is a tool_use turn whatever the provider said (some say "stop"): an agent runs tools on it.
 */
export function messagesStopReason(reason: StopReason | null, hasToolCalls: boolean): MessagesStopReason {
  if (hasToolCalls && (reason === null || reason === "end_turn")) return "tool_use";
  switch (reason) {
    case null:
      return "end_turn";
    case "content_filter":
      return "refusal";
    default:
      return reason;
  }
}

/** Tool input as an object: the model's JSON text parsed, {} when it is not an object. */
export function inputOf(json: string): unknown {
  if (json.trim() === "") return {};
  try {
    const parsed: unknown = JSON.parse(json);
    return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

function outputBlock(block: ContentBlock): OutputBlock | undefined {
  switch (block.type) {
    case "text":
      return block.citations && block.citations.length > 0
        ? { type: "text", text: block.text, citations: block.citations }
        : { type: "text", text: block.text };
    case "refusal":
      return { type: "text", text: block.text };
    case "thinking":
      return { type: "thinking", thinking: block.text, signature: signatureOut(block) };
    case "redacted_thinking":
      return { type: "redacted_thinking", data: redactedDataOut(block) };
    case "tool_call":
      return { type: "tool_use", id: block.id, name: block.name, input: inputOf(block.arguments) };
    case "server_tool_call":
      return { type: "server_tool_use", id: block.id, name: block.name, input: block.input };
    case "server_tool_result":
      return { type: block.resultType, tool_use_id: block.callId, content: block.content };
    default:
      // An answer holds no images, documents, audio or tool results of its own.
      return undefined;
  }
}

export function renderMessage(response: CanonicalResponse, newId: IdSource): MessageObject {
  const content: OutputBlock[] = [];
  for (const block of response.content) {
    const out = outputBlock(block);
    if (out) content.push(out);
  }
  const stopReason = messagesStopReason(
    response.stopReason,
    response.content.some((block) => block.type === "tool_call"),
  );
  return {
    id: messageId(response.id, newId),
    type: "message",
    role: "assistant",
    model: response.model,
    content,
    stop_reason: stopReason,
    stop_sequence: stopReason === "stop_sequence" ? (response.stopSequence ?? null) : null,
    usage: messagesUsageOf(response.usage),
  };
}
