// OpenAI-compatible answer -> the canonical answer. The body itself goes to an OpenAI client as it came (index.ts);
// this runs only when a client of another dialect needs the answer rendered.
import { canonicalResponseOf } from "../../api/openai-chat/completion-response.ts";
import type { CanonicalResponse } from "../../canonical/response.ts";
import { badResponse } from "../errors.ts";
import { openAIAnswerSchema } from "./wire.ts";

export function toCanonicalResponse(providerId: string, answer: unknown): CanonicalResponse {
  const parsed = openAIAnswerSchema.safeParse(answer);
  if (!parsed.success) throw badResponse(providerId, "an answer whose choices are not chat choices");
  return canonicalResponseOf(parsed.data);
}
