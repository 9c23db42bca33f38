// What the Gemini API sends, as lenient zod schemas (only the fields read, `.nullish()`), each built once.
// GenerateContentResponse (an answer, and each event of a stream):
// https://ai.google.dev/api/generate-content#generatecontentresponse ; errors (google.rpc.Status):
// https://ai.google.dev/gemini-api/docs/troubleshooting#error-codes ; models: https://ai.google.dev/api/models#Model
import { z } from "zod";

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
        // Why the model stopped, in words (Candidate.finishMessage), named in errors when present.
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

/** `{"error": {"code", "message", "status", "details": [...]}}`, a google.rpc.Status. */
export const geminiErrorBodySchema = z.looseObject({
  error: z.looseObject({
    code: z.number().nullish(),
    message: z.string().nullish(),
    status: z.string().nullish(),
    details: z
      .array(
        z.looseObject({
          "@type": z.string().nullish(),
          retryDelay: z.string().nullish(),
          reason: z.string().nullish(),
        }),
      )
      .nullish(),
  }),
});

export type GeminiErrorBody = z.infer<typeof geminiErrorBodySchema>["error"];

/** A Model of models.list, as the wire sends it or as the SDK hands it over. */
export const geminiModelSchema = z.looseObject({
  name: z.string(),
  inputTokenLimit: z.number().nullish(),
  // The wire field; the SDK renames it supportedActions.
  supportedGenerationMethods: z.array(z.string()).nullish(),
  supportedActions: z.array(z.string()).nullish(),
});

/** countTokens' answer: { totalTokens, ... } (https://ai.google.dev/api/tokens#CountTokensResponse). */
export const geminiTokenCountSchema = z.looseObject({ totalTokens: z.number().int().nonnegative() });
