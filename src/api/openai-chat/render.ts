// Pure: a canonical answer -> an OpenAI chat.completion.
// https://platform.openai.com/docs/api-reference/chat/object
import type { ContentBlock } from "../../canonical/content.ts";
import type { CanonicalResponse } from "../../canonical/response.ts";
import type { IdSource } from "../../providers/types.ts";
import type { ChatCompletion, ResponseToolCall } from "../chat.ts";
import { finishReasonOf } from "./finish.ts";
import { detailOf, type ReasoningDetail } from "./reasoning-details.ts";
import { chatUsageOf } from "./usage.ts";

/**
 * An OpenAI client may rely on the id's prefix: another shape of upstream id is kept behind it (so it can still be
 * traced to the upstream's logs), and an answer without one gets a new id.
 */
export function chatId(id: string, newId: IdSource): string {
  if (id.startsWith("chatcmpl")) return id;
  return id === "" ? newId("chatcmpl-") : `chatcmpl-${id}`;
}

interface Collected {
  text: string[];
  refusal: string[];
  reasoning: string[];
  details: ReasoningDetail[];
  toolCalls: ResponseToolCall[];
}

function collect(content: ContentBlock[]): Collected {
  const out: Collected = { text: [], refusal: [], reasoning: [], details: [], toolCalls: [] };
  for (const block of content) {
    switch (block.type) {
      case "text":
        out.text.push(block.text);
        break;
      case "refusal":
        out.refusal.push(block.text);
        break;
      case "thinking":
        out.reasoning.push(block.text);
        if (block.signature) out.details.push(detailOf(block, out.details.length));
        break;
      case "redacted_thinking":
        out.details.push(detailOf(block, out.details.length));
        break;
      case "tool_call":
        out.toolCalls.push({
          id: block.id,
          type: "function",
          function: { name: block.name, arguments: block.arguments },
        });
        break;
      default:
        // Server tool blocks, images, documents: the Chat API has no place for them in an answer.
        break;
    }
  }
  return out;
}

export function renderCompletion(response: CanonicalResponse, newId: IdSource): ChatCompletion {
  const collected = collect(response.content);
  const message: ChatCompletion["choices"][number]["message"] = {
    role: "assistant",
    content: collected.text.length > 0 ? collected.text.join("") : null,
  };
  if (collected.refusal.length > 0) message.refusal = collected.refusal.join("");
  if (collected.reasoning.length > 0) message.reasoning_content = collected.reasoning.join("\n\n");
  if (collected.details.length > 0) message.reasoning_details = collected.details;
  if (collected.toolCalls.length > 0) message.tool_calls = collected.toolCalls;
  const completion: ChatCompletion = {
    id: chatId(response.id, newId),
    object: "chat.completion",
    created: response.created,
    model: response.model,
    choices: [{ index: 0, message, finish_reason: finishReasonOf(response.stopReason), logprobs: null }],
  };
  if (response.usage) completion.usage = chatUsageOf(response.usage);
  return completion;
}
