// What the Messages API sends, as lenient zod schemas (only the fields read, `.nullish()`), each built once.
// Messages: https://docs.anthropic.com/en/api/messages ; stream events:
// https://docs.anthropic.com/en/docs/build-with-claude/streaming ; errors: https://docs.anthropic.com/en/api/errors ;
// models: https://docs.anthropic.com/en/api/models-list
import { z } from "zod";

export const anthropicUsageSchema = z.looseObject({
  input_tokens: z.number().nullish(),
  output_tokens: z.number().nullish(),
  cache_creation_input_tokens: z.number().nullish(),
  cache_read_input_tokens: z.number().nullish(),
  output_tokens_details: z.looseObject({ thinking_tokens: z.number().nullish() }).nullish(),
});
export type AnthropicUsage = z.infer<typeof anthropicUsageSchema>;

/**
 * A content block of an answer, or of a stream's content_block_start: text (with citations), thinking,
 * redacted_thinking, tool_use, server_tool_use, and a server tool's result (web_search_tool_result...: `tool_use_id`
 * and `content` in the tool's own shape). https://docs.anthropic.com/en/api/messages#response-content
 */
const contentBlockSchema = z.looseObject({
  type: z.string(),
  text: z.string().nullish(),
  citations: z.array(z.unknown()).nullish(),
  thinking: z.string().nullish(),
  signature: z.string().nullish(),
  data: z.string().nullish(),
  id: z.string().nullish(),
  name: z.string().nullish(),
  input: z.unknown().optional(),
  tool_use_id: z.string().nullish(),
  content: z.unknown().optional(),
});
export type AnthropicContentBlock = z.infer<typeof contentBlockSchema>;

export const anthropicMessageSchema = z.looseObject({
  id: z.string().nullish(),
  model: z.string(),
  content: z.array(contentBlockSchema),
  stop_reason: z.string().nullish(),
  stop_sequence: z.string().nullish(),
  usage: anthropicUsageSchema.nullish(),
});
export type AnthropicMessage = z.infer<typeof anthropicMessageSchema>;

export const messageStartSchema = z.looseObject({
  message: z.looseObject({
    id: z.string().nullish(),
    model: z.string().nullish(),
    usage: anthropicUsageSchema.nullish(),
  }),
});
export const blockStartSchema = z.looseObject({ index: z.number(), content_block: contentBlockSchema });
export const blockDeltaSchema = z.looseObject({
  index: z.number(),
  delta: z.looseObject({
    type: z.string(),
    text: z.string().nullish(),
    thinking: z.string().nullish(),
    signature: z.string().nullish(),
    partial_json: z.string().nullish(),
    /** citations_delta: one citation of the text block, in Anthropic's shape. */
    citation: z.unknown().optional(),
  }),
});
export const blockStopSchema = z.looseObject({ index: z.number() });
export const messageDeltaSchema = z.looseObject({
  delta: z.looseObject({ stop_reason: z.string().nullish(), stop_sequence: z.string().nullish() }).nullish(),
  usage: anthropicUsageSchema.nullish(),
});

/** `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_..."}` */
export const anthropicErrorBodySchema = z.looseObject({
  error: z.looseObject({ type: z.string().nullish(), message: z.string().nullish() }).nullish(),
});

/** ModelInfo: { type: "model", id, display_name, created_at (RFC 3339), max_input_tokens? ... } */
export const anthropicModelSchema = z.looseObject({
  id: z.string().min(1),
  created_at: z.string().nullish(),
  max_input_tokens: z.number().int().positive().nullish(),
});

/** count_tokens' answer: { input_tokens } (https://docs.anthropic.com/en/api/messages-count-tokens). */
export const tokenCountSchema = z.looseObject({ input_tokens: z.number().int().nonnegative() });
