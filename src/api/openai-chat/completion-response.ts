// Pure: an OpenAI chat.completion (an upstream's answer on this wire) -> the canonical answer, first choice.
import type { ContentBlock } from "../../canonical/content.ts";
import type { CanonicalResponse } from "../../canonical/response.ts";
import { stopReasonOf } from "./finish.ts";
import { blocksFromDetails } from "./reasoning-details.ts";
import { type ChatUsageLike, canonicalUsageOf } from "./usage.ts";

type Maybe<T> = T | null | undefined;

/**
 * What this reads of an answer, every field optional: a ChatCompletion is one, and so is a lenient parse of an
 * upstream's body (a compatible server may leave any of them out).
 */
export interface ChatAnswer {
  id?: Maybe<string>;
  model?: Maybe<string>;
  created?: Maybe<number>;
  choices: Array<{
    finish_reason?: Maybe<string>;
    message?: Maybe<{
      content?: Maybe<string>;
      refusal?: Maybe<string>;
      reasoning_content?: Maybe<string>;
      reasoning_details?: unknown;
      tool_calls?: Maybe<Array<{ id: string; function: { name: string; arguments: string } } | null>>;
    }>;
  }>;
  usage?: Maybe<ChatUsageLike>;
}

export function canonicalResponseOf(completion: ChatAnswer): CanonicalResponse {
  const choice = completion.choices[0];
  const message = choice?.message;
  const content: ContentBlock[] = [];
  if (message) {
    const { blocks } = blocksFromDetails(message.reasoning_details);
    if (blocks.length > 0) content.push(...blocks);
    else if (typeof message.reasoning_content === "string" && message.reasoning_content !== "") {
      content.push({ type: "thinking", text: message.reasoning_content });
    }
    if (typeof message.content === "string" && message.content !== "") {
      content.push({ type: "text", text: message.content });
    }
    if (typeof message.refusal === "string" && message.refusal !== "") {
      content.push({ type: "refusal", text: message.refusal });
    }
    for (const call of message.tool_calls ?? []) {
      if (!call) continue;
      content.push({
        type: "tool_call",
        id: call.id,
        name: call.function.name,
        arguments: call.function.arguments,
      });
    }
  }
  const response: CanonicalResponse = {
    id: completion.id ?? "",
    model: completion.model ?? "",
    created: completion.created ?? 0,
    content,
    stopReason: stopReasonOf(choice?.finish_reason),
  };
  if (completion.usage) response.usage = canonicalUsageOf(completion.usage);
  return response;
}
