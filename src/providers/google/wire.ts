// Lenient zod schemas for what Gemini sends (only the fields we read) and the mappings response and stream share.
// GenerateContentResponse: https://ai.google.dev/api/generate-content#generatecontentresponse
import { z } from "zod";
import type { FinishReason, Usage } from "../../api/chat.ts";

const partialArgSchema = z.looseObject({
  jsonPath: z.string().nullish(),
  stringValue: z.string().nullish(),
  numberValue: z.number().nullish(),
  boolValue: z.boolean().nullish(),
  nullValue: z.unknown().nullish(),
  willContinue: z.boolean().nullish(),
});

export const geminiPartSchema = z.looseObject({
  text: z.string().nullish(),
  thought: z.boolean().nullish(),
  thoughtSignature: z.string().nullish(),
  functionCall: z
    .looseObject({
      name: z.string().nullish(),
      args: z.record(z.string(), z.unknown()).nullish(),
      // Vertex streams arguments in pieces when asked to (streamFunctionCallArguments).
      partialArgs: z.array(partialArgSchema).nullish(),
      willContinue: z.boolean().nullish(),
    })
    .nullish(),
});

export const geminiUsageSchema = z.looseObject({
  promptTokenCount: z.number().nullish(),
  candidatesTokenCount: z.number().nullish(),
  thoughtsTokenCount: z.number().nullish(),
  cachedContentTokenCount: z.number().nullish(),
  toolUsePromptTokenCount: z.number().nullish(),
  totalTokenCount: z.number().nullish(),
});

export const geminiResponseSchema = z.looseObject({
  candidates: z
    .array(
      z.looseObject({
        content: z.looseObject({ parts: z.array(geminiPartSchema).nullish() }).nullish(),
        finishReason: z.string().nullish(),
      }),
    )
    .nullish(),
  promptFeedback: z.looseObject({ blockReason: z.string().nullish() }).nullish(),
  usageMetadata: geminiUsageSchema.nullish(),
  modelVersion: z.string().nullish(),
  responseId: z.string().nullish(),
});

export type GeminiPart = z.infer<typeof geminiPartSchema>;
export type GeminiUsage = z.infer<typeof geminiUsageSchema>;
export type GeminiResponse = z.infer<typeof geminiResponseSchema>;
export type PartialArg = z.infer<typeof partialArgSchema>;

/** Finish reasons that mean the answer was withheld by a filter (FinishReason enum in the API reference). */
const FILTERED = new Set([
  "SAFETY",
  "RECITATION",
  "PROHIBITED_CONTENT",
  "BLOCKLIST",
  "SPII",
  "IMAGE_SAFETY",
  "IMAGE_PROHIBITED_CONTENT",
  "IMAGE_RECITATION",
]);

/** Gemini says STOP after function calls too; OpenAI clients look for "tool_calls" to run them. */
export function toFinishReason(reason: string, calledTools: boolean): FinishReason {
  if (reason === "MAX_TOKENS") return "length";
  if (FILTERED.has(reason)) return "content_filter";
  return calledTools ? "tool_calls" : "stop";
}

/**
 * usageMetadata -> OpenAI usage. OpenAI's completion_tokens include reasoning tokens, so thoughts are added
 * to candidates; tool-use prompt tokens are prompt tokens.
 */
export function toUsage(usage: GeminiUsage | null | undefined): Usage {
  const prompt = (usage?.promptTokenCount ?? 0) + (usage?.toolUsePromptTokenCount ?? 0);
  const thoughts = usage?.thoughtsTokenCount;
  const completion = (usage?.candidatesTokenCount ?? 0) + (thoughts ?? 0);
  const result: Usage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
  };
  if (usage?.cachedContentTokenCount != null) {
    result.prompt_tokens_details = { cached_tokens: usage.cachedContentTokenCount };
  }
  if (thoughts != null) result.completion_tokens_details = { reasoning_tokens: thoughts };
  return result;
}
