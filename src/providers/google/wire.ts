// Lenient zod schemas for what Gemini sends (only the fields we read) and the mappings response and stream share.
// GenerateContentResponse: https://ai.google.dev/api/generate-content#generatecontentresponse
import { z } from "zod";
import type { FinishReason, Usage } from "../../api/chat.ts";
import { UpstreamError } from "../../api/errors.ts";
import { redactText } from "../../log/logger.ts";

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
      // Set by Gemini when it wants the result back under the same id (FunctionCall.id).
      id: z.string().nullish(),
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
        // Why the model stopped, in words (Candidate.finishMessage), named in errors when present. @google/genai
        // 2.32 drops it from Gemini API answers (candidateFromMldev copies only the fields it lists; Vertex
        // answers pass unchanged), so through the SDK it arrives only once the SDK keeps it.
        finishMessage: z.string().nullish(),
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

/** What the candidate produced that a client can use (thought summaries alone are not an answer). */
export interface ProducedContent {
  calledTools: boolean;
  hasText: boolean;
}

export type FinishOutcome =
  | { kind: "finish"; reason: FinishReason; warning?: string }
  | { kind: "no_answer"; error: UpstreamError };

/** Reasons whose empty answer has a specific error code; any other failed reason is "no_content". */
const NO_ANSWER_CODES: Record<string, string> = {
  MALFORMED_FUNCTION_CALL: "malformed_function_call",
  UNEXPECTED_TOOL_CALL: "unexpected_tool_call",
};

function describe(reason: string, message: string | null | undefined): string {
  return message ? `${reason} (${message})` : reason;
}

/**
 * A candidate's finishReason -> our finish_reason, or an error when Gemini stopped without an answer.
 * FinishReason enum: https://ai.google.dev/api/generate-content#FinishReason
 * - STOP: complete. Gemini says STOP after function calls too; OpenAI clients look for "tool_calls".
 * - MAX_TOKENS: "length". CONTINUATION (the per-request limit was reached, generation not complete; we
 *   never continue automatically) is "length" too, with a warning: it must not look like a whole answer.
 * - the filters: "content_filter".
 * - anything else (MALFORMED_FUNCTION_CALL, UNEXPECTED_TOOL_CALL, OTHER, FINISH_REASON_UNSPECIFIED, NO_IMAGE,
 *   IMAGE_OTHER, LANGUAGE, reasons added later): the model failed. With nothing usable produced it is a
 *   retryable bad_response (another attempt or target may well answer); with content it is kept as complete,
 *   with a warning naming the reason.
 */
export function finishOutcome(
  providerId: string,
  reason: string,
  message: string | null | undefined,
  produced: ProducedContent,
): FinishOutcome {
  const complete: FinishReason = produced.calledTools ? "tool_calls" : "stop";
  if (reason === "STOP") return { kind: "finish", reason: complete };
  if (reason === "MAX_TOKENS") return { kind: "finish", reason: "length" };
  if (reason === "CONTINUATION") {
    return {
      kind: "finish",
      reason: "length",
      warning:
        "Gemini stopped at its per-request output limit before the answer was complete (finishReason CONTINUATION); reported as finish_reason 'length'.",
    };
  }
  if (FILTERED.has(reason)) return { kind: "finish", reason: "content_filter" };
  const what = describe(reason, message);
  if (produced.calledTools || produced.hasText) {
    return {
      kind: "finish",
      reason: complete,
      warning: `Gemini ended the answer with finishReason ${what}; the content it produced is returned as complete.`,
    };
  }
  const error = new UpstreamError(
    providerId,
    redactText(`Provider '${providerId}' ended the answer without usable content: finishReason ${what}`),
    {
      status: 502,
      type: "api_error",
      code: NO_ANSWER_CODES[reason] ?? "no_content",
      kind: "bad_response",
    },
  );
  return { kind: "no_answer", error };
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
