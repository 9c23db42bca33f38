// Our wire contract: the OpenAI Chat Completions request, response and stream chunk.
// https://platform.openai.com/docs/api-reference/chat/create
// The request schema checks what the gateway reads and keeps every other field (looseObject), so an
// OpenAI-compatible upstream receives fields we do not model (seed, logprobs, reasoning_effort...).
import { z } from "zod";
import { sparseLooseObject } from "./sparse-object.ts";

const textPart = z.looseObject({ type: z.literal("text"), text: z.string() });
const imagePart = z.looseObject({
  type: z.literal("image_url"),
  image_url: z.looseObject({ url: z.string().min(1), detail: z.string().optional() }),
});
// Other part types (input_audio, file, refusal) pass through to OpenAI-type upstreams untouched.
const otherPart = z.looseObject({ type: z.string() });
export const contentPartSchema = z.union([textPart, imagePart, otherPart]);

const messageContent = z.union([z.string(), z.array(contentPartSchema)]).nullish();

export const toolCallSchema = z.looseObject({
  id: z.string(),
  type: z.literal("function").optional(),
  function: z.looseObject({ name: z.string(), arguments: z.string() }),
});

const systemMessage = z.looseObject({ role: z.enum(["system", "developer"]), content: messageContent });
const userMessage = z.looseObject({
  role: z.literal("user"),
  content: messageContent,
  name: z.string().optional(),
});
const assistantMessage = z.looseObject({
  role: z.literal("assistant"),
  content: messageContent,
  tool_calls: z.array(toolCallSchema).nullish(),
  // Carried back by clients that keep our extension fields; lets thinking survive a round trip.
  reasoning_content: z.string().nullish(),
});
const toolMessage = z.looseObject({
  role: z.literal("tool"),
  content: messageContent,
  tool_call_id: z.string(),
});
// Deprecated OpenAI function-calling role; still accepted by OpenAI itself.
const functionMessage = z.looseObject({
  role: z.literal("function"),
  content: messageContent,
  name: z.string(),
});

export const chatMessageSchema = z.discriminatedUnion("role", [
  systemMessage,
  userMessage,
  assistantMessage,
  toolMessage,
  functionMessage,
]);

export const toolSchema = z.looseObject({
  type: z.literal("function"),
  function: z.looseObject({
    name: z.string().min(1),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullish(),
  }),
});

export const toolChoiceSchema = z.union([
  z.enum(["none", "auto", "required"]),
  z.looseObject({ type: z.literal("function"), function: z.looseObject({ name: z.string() }) }),
]);

export const responseFormatSchema = z.union([
  z.looseObject({ type: z.literal("text") }),
  z.looseObject({ type: z.literal("json_object") }),
  z.looseObject({
    type: z.literal("json_schema"),
    json_schema: z.looseObject({
      name: z.string(),
      schema: z.record(z.string(), z.unknown()).optional(),
      strict: z.boolean().nullish(),
      description: z.string().optional(),
    }),
  }),
]);

/** Optional request fields: each is validated only when the request has it (see chatRequestSchema). */
const optionalFields = {
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  n: z.number().int().positive().nullish(),
  stop: z.union([z.string(), z.array(z.string())]).nullish(),
  tools: z.array(toolSchema).nullish(),
  tool_choice: toolChoiceSchema.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  response_format: responseFormatSchema.nullish(),
  user: z.string().nullish(),
};

const requiredFields = {
  model: z.string().min(1, "model must be a non-empty string"),
  messages: z.array(chatMessageSchema).min(1, "messages must hold at least one message"),
};

/** The whole request as one zod object: the ChatRequest type, and what chatRequestSchema is tested against. */
export const fullChatRequestSchema = z.looseObject({ ...requiredFields, ...optionalFields });
export type ChatRequest = z.infer<typeof fullChatRequestSchema>;

/**
 * What every request is validated with: fullChatRequestSchema's fields, the optional ones checked only when present
 * (sparse-object.ts; measured ~2 µs less CPU per request in situ, bench/RESULTS.md). Messages stay plain zod
 * objects: their optional fields are mostly present, and the sparse form measured slower there. chat.test.ts
 * checks that both schemas accept and refuse the same requests, with the same first issue.
 */
export const chatRequestSchema: z.ZodType<ChatRequest> = sparseLooseObject(requiredFields, optionalFields);
export type ChatMessage = z.infer<typeof chatMessageSchema>;
export type ContentPart = z.infer<typeof contentPartSchema>;
export type ToolCall = z.infer<typeof toolCallSchema>;
export type Tool = z.infer<typeof toolSchema>;
export type ToolChoice = z.infer<typeof toolChoiceSchema>;
export type ResponseFormat = z.infer<typeof responseFormatSchema>;

export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter" | "function_call";

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number; [key: string]: unknown };
  completion_tokens_details?: { reasoning_tokens?: number; [key: string]: unknown };
  [key: string]: unknown;
}

export interface ResponseToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

export interface ChatCompletion {
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  choices: Array<{
    index: number;
    message: {
      role: "assistant";
      content: string | null;
      tool_calls?: ResponseToolCall[];
      reasoning_content?: string;
      refusal?: string | null;
      [key: string]: unknown;
    };
    finish_reason: FinishReason | null;
    logprobs?: unknown;
    [key: string]: unknown;
  }>;
  usage?: Usage;
  [key: string]: unknown;
}

export interface ChunkToolCall {
  index: number;
  id?: string;
  type?: "function";
  function?: { name?: string; arguments?: string };
}

export interface ChunkDelta {
  role?: "assistant";
  content?: string | null;
  reasoning_content?: string;
  tool_calls?: ChunkToolCall[];
  refusal?: string | null;
  [key: string]: unknown;
}

export interface ChatCompletionChunk {
  id: string;
  object: "chat.completion.chunk";
  created: number;
  model: string;
  choices: Array<{
    index: number;
    delta: ChunkDelta;
    finish_reason: FinishReason | null;
    logprobs?: unknown;
    [key: string]: unknown;
  }>;
  usage?: Usage | null;
  [key: string]: unknown;
}

/**
 * Whether a stream's answer is complete: every choice seen so far has its finish_reason (with n > 1, one
 * finished choice is not a whole answer). A stream that is complete may end without [DONE].
 */
export function createFinishTracker(): { see(chunk: ChatCompletionChunk): void; readonly complete: boolean } {
  // Per choice index: whether it has finished.
  const finished = new Map<number, boolean>();
  let open = 0;
  return {
    see(chunk) {
      for (const choice of chunk.choices) {
        const before = finished.get(choice.index);
        if (choice.finish_reason != null) {
          if (before === true) continue;
          if (before === false) open -= 1;
          finished.set(choice.index, true);
        } else if (before === undefined) {
          open += 1;
          finished.set(choice.index, false);
        }
      }
    },
    get complete() {
      return finished.size > open && open === 0;
    },
  };
}
