// Our wire contract for the OpenAI Responses API: the request (zod, lenient where clients send more than we read)
// and the response object and stream events we write. https://platform.openai.com/docs/api-reference/responses/create
import { z } from "zod";
import { byType } from "../by-type.ts";

// Content parts of a message item. https://platform.openai.com/docs/api-reference/responses/create#responses-create-input
const inputText = z.looseObject({ type: z.literal("input_text"), text: z.string() });
const outputText = z.looseObject({ type: z.literal("output_text"), text: z.string() });
const inputImage = z.looseObject({
  type: z.literal("input_image"),
  image_url: z.string().nullish(),
  file_id: z.string().nullish(),
  detail: z.string().nullish(),
});
const inputFile = z.looseObject({
  type: z.literal("input_file"),
  file_data: z.string().nullish(),
  file_id: z.string().nullish(),
  file_url: z.string().nullish(),
  filename: z.string().nullish(),
});
const refusal = z.looseObject({ type: z.literal("refusal"), refusal: z.string() });
/** Parts of kinds the gateway does not read (input_audio...): kept, and reported dropped by a translation. */
const otherPart = z.looseObject({ type: z.string() });
export const contentPartSchema = byType(
  { input_text: inputText, output_text: outputText, input_image: inputImage, input_file: inputFile, refusal },
  otherPart,
);
export type ResponsesContentPart = z.infer<typeof contentPartSchema>;

const messageItem = z.looseObject({
  type: z.literal("message").optional(),
  role: z.enum(["user", "assistant", "system", "developer"]),
  content: z.union([z.string(), z.array(contentPartSchema)]),
  id: z.string().nullish(),
});

const functionCallItem = z.looseObject({
  type: z.literal("function_call"),
  call_id: z.string().min(1),
  name: z.string().min(1),
  arguments: z.string(),
  /** Set when the function belongs to a namespace tool. */
  namespace: z.string().nullish(),
  id: z.string().nullish(),
});

const functionCallOutputItem = z.looseObject({
  type: z.literal("function_call_output"),
  call_id: z.string().min(1),
  output: z.union([z.string(), z.array(contentPartSchema)]),
  id: z.string().nullish(),
});

const summaryText = z.looseObject({ type: z.string(), text: z.string() });
const reasoningItem = z.looseObject({
  type: z.literal("reasoning"),
  id: z.string().nullish(),
  summary: z.array(summaryText).nullish(),
  content: z.array(summaryText).nullish(),
  encrypted_content: z.string().nullish(),
});

/** Items of other types (web_search_call, custom_tool_call, item_reference...): kept, reported dropped. */
const otherItem = z.looseObject({ type: z.string() });

// An item without a type is a message (EasyInputMessage).
export const inputItemSchema = byType(
  {
    message: messageItem,
    function_call: functionCallItem,
    function_call_output: functionCallOutputItem,
    reasoning: reasoningItem,
  },
  otherItem,
  "message",
);
export type ResponsesInputItem = z.infer<typeof inputItemSchema>;
export type ResponsesMessageItem = z.infer<typeof messageItem>;
export type ResponsesFunctionCallItem = z.infer<typeof functionCallItem>;
export type ResponsesFunctionCallOutputItem = z.infer<typeof functionCallOutputItem>;
export type ResponsesReasoningItem = z.infer<typeof reasoningItem>;

export const functionToolSchema = z.looseObject({
  type: z.literal("function"),
  name: z.string().min(1),
  description: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  strict: z.boolean().nullish(),
});
export type ResponsesFunctionTool = z.infer<typeof functionToolSchema>;

/** A group of client functions the model calls as {namespace, name} (Codex's multi_agent_v1). */
export const namespaceToolSchema = z.looseObject({
  type: z.literal("namespace"),
  name: z.string().min(1),
  description: z.string().nullish(),
  tools: z.array(byType({ function: functionToolSchema }, z.looseObject({ type: z.string() }))),
});
export type ResponsesNamespaceTool = z.infer<typeof namespaceToolSchema>;

/** Hosted tools (web_search, file_search...) and custom tools: their settings are OpenAI's, kept as sent. */
const otherTool = z.looseObject({ type: z.string().min(1) });
export const toolSchema = byType({ function: functionToolSchema, namespace: namespaceToolSchema }, otherTool);
export type ResponsesTool = z.infer<typeof toolSchema>;

export const toolChoiceSchema = z.union([
  z.enum(["none", "auto", "required"]),
  z.looseObject({
    type: z.literal("function"),
    name: z.string().min(1),
    namespace: z.string().nullish(),
  }),
  z.looseObject({ type: z.string() }),
]);

export const textFormatSchema = z.union([
  z.looseObject({ type: z.literal("text") }),
  z.looseObject({ type: z.literal("json_object") }),
  z.looseObject({
    type: z.literal("json_schema"),
    name: z.string().min(1),
    schema: z.record(z.string(), z.unknown()),
    strict: z.boolean().nullish(),
    description: z.string().nullish(),
  }),
]);

const optionalFields = {
  instructions: z.string().nullish(),
  stream: z.boolean().nullish(),
  tools: z.array(toolSchema).nullish(),
  tool_choice: toolChoiceSchema.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  reasoning: z.looseObject({ effort: z.string().nullish(), summary: z.string().nullish() }).nullish(),
  text: z.looseObject({ format: textFormatSchema.nullish() }).nullish(),
  max_output_tokens: z.number().int().positive().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  store: z.boolean().nullish(),
  include: z.array(z.string()).nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  prompt_cache_key: z.string().nullish(),
  previous_response_id: z.string().nullish(),
  user: z.string().nullish(),
  safety_identifier: z.string().nullish(),
};

export const responsesRequestSchema = z.looseObject({
  model: z.string().min(1, "model must be a non-empty string"),
  input: z.union([z.string(), z.array(inputItemSchema)]),
  ...optionalFields,
});
export type ResponsesRequest = z.infer<typeof responsesRequestSchema>;

// What the gateway writes back. https://platform.openai.com/docs/api-reference/responses/object

export interface ResponsesUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export type OutputContentPart =
  | { type: "output_text"; text: string; annotations: unknown[]; logprobs: unknown[] }
  | { type: "refusal"; refusal: string };

export interface OutputMessage {
  id: string;
  type: "message";
  status: "in_progress" | "completed" | "incomplete";
  role: "assistant";
  content: OutputContentPart[];
}

export interface OutputFunctionCall {
  id: string;
  type: "function_call";
  status: "in_progress" | "completed" | "incomplete";
  call_id: string;
  name: string;
  arguments: string;
  namespace?: string;
}

export interface OutputReasoning {
  id: string;
  type: "reasoning";
  summary: Array<{ type: "summary_text"; text: string }>;
  encrypted_content?: string;
}

export type OutputItem = OutputMessage | OutputFunctionCall | OutputReasoning;

export interface ResponseObject {
  id: string;
  object: "response";
  created_at: number;
  status: "in_progress" | "completed" | "incomplete" | "failed";
  background: false;
  error: { code: string; message: string } | null;
  incomplete_details: { reason: string } | null;
  instructions: string | null;
  max_output_tokens: number | null;
  model: string;
  output: OutputItem[];
  parallel_tool_calls: boolean;
  previous_response_id: null;
  reasoning: { effort: string | null; summary: string | null };
  store: boolean;
  temperature: number | null;
  text: { format: Record<string, unknown> };
  tool_choice: unknown;
  tools: unknown[];
  top_p: number | null;
  truncation: "disabled";
  usage: ResponsesUsage | null;
  user: string | null;
  metadata: Record<string, string>;
}
