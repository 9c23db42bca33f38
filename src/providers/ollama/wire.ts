// What Ollama sends, as lenient zod schemas (only the fields read, `.nullish()`), each built once.
// /api/chat: https://github.com/ollama/ollama/blob/main/docs/api.md#generate-a-chat-completion ; /api/tags:
// https://github.com/ollama/ollama/blob/main/docs/api.md#list-local-models ; errors:
// https://github.com/ollama/ollama/blob/main/docs/api/errors.mdx
import { z } from "zod";

const ollamaToolCallSchema = z.looseObject({
  id: z.string().nullish(),
  function: z.looseObject({
    name: z.string(),
    // An object on Ollama's wire; a string is accepted too in case a proxy already serialized it.
    arguments: z.unknown().optional(),
  }),
});

/** A /api/chat answer, or one line of its NDJSON stream. */
export const ollamaChatResponseSchema = z.looseObject({
  model: z.string().nullish(),
  message: z
    .looseObject({
      content: z.string().nullish(),
      thinking: z.string().nullish(),
      tool_calls: z.array(ollamaToolCallSchema).nullish(),
    })
    .nullish(),
  done: z.boolean().nullish(),
  done_reason: z.string().nullish(),
  prompt_eval_count: z.number().nullish(),
  eval_count: z.number().nullish(),
});

export type OllamaChatResponse = z.infer<typeof ollamaChatResponseSchema>;
export type OllamaResponseToolCall = z.infer<typeof ollamaToolCallSchema>;

/** `{"error": "..."}`; Ollama Cloud and proxies in front of Ollama sometimes nest it as `{"error": {"message"}}`. */
export const ollamaErrorBodySchema = z.looseObject({
  error: z.union([z.string(), z.looseObject({ message: z.string().nullish() })]).nullish(),
});

export const ollamaTagsSchema = z.looseObject({
  models: z
    .array(
      z.looseObject({
        name: z.string().nullish(),
        model: z.string().nullish(),
        modified_at: z.string().nullish(),
      }),
    )
    .nullish(),
});

export type OllamaTags = z.infer<typeof ollamaTagsSchema>;
