// OpenAI-compatible answer -> ChatCompletion: the canonical shape is OpenAI's own, so the answer is checked, not
// translated, and its body forwarded as it came (index.ts).
import type { ChatCompletion } from "../../api/chat.ts";
import type { z } from "zod";
import type { openAICompletionSchema } from "./wire.ts";

export type OpenAICompletion = z.infer<typeof openAICompletionSchema>;

/**
 * The checked answer as the canonical type. The gateway reads none of its fields (the body goes to the client
 * byte for byte), so the schema checks only that it is an answer, and this states what an OpenAI body is.
 */
export function toChatCompletion(answer: OpenAICompletion): ChatCompletion {
  return answer as ChatCompletion;
}
