// Ollama's /api/chat and /api/tags wire: the request body we send (types), and lenient zod schemas of what Ollama
// sends back (only the fields read, `.nullish()`), each built once.
// /api/chat: https://github.com/ollama/ollama/blob/main/docs/api.md#generate-a-chat-completion ; /api/tags:
// https://github.com/ollama/ollama/blob/main/docs/api.md#list-local-models ; errors:
// https://github.com/ollama/ollama/blob/main/docs/api/errors.mdx
import { z } from "zod";

/** A tool call as Ollama takes it back in history: arguments are a JSON object, not a string. */
export interface OllamaToolCall {
  id?: string;
  function: { name: string; arguments: Record<string, unknown> };
}

/** docs/api.md "The message object": role, content, thinking, images, tool_calls, tool_name. */
export interface OllamaMessage {
  role: "system" | "user" | "assistant" | "tool";
  content: string;
  /** Base64 image bytes without a data: prefix. */
  images?: string[];
  thinking?: string;
  tool_calls?: OllamaToolCall[];
  tool_name?: string;
  /** Ollama echoes call ids since tool call ids were added; servers that predate them ignore unknown fields. */
  tool_call_id?: string;
}

export interface OllamaTool {
  type: "function";
  function: { name: string; description?: string; parameters?: Record<string, unknown> };
}

/** Modelfile parameters: https://github.com/ollama/ollama/blob/main/docs/modelfile.md#valid-parameters-and-values */
export interface OllamaOptions {
  temperature?: number;
  top_p?: number;
  top_k?: number;
  stop?: string[];
  num_predict?: number;
  seed?: number;
  presence_penalty?: number;
  frequency_penalty?: number;
}

export interface OllamaChatRequest {
  model: string;
  messages: OllamaMessage[];
  stream: boolean;
  tools?: OllamaTool[];
  /** "json" for JSON mode, or a JSON schema for structured outputs. */
  format?: "json" | Record<string, unknown>;
  options?: OllamaOptions;
  /** true/false, or "low" | "medium" | "high" for models with thinking levels (gpt-oss). */
  think?: boolean | "low" | "medium" | "high";
}

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
