// Our wire contract for the Anthropic Messages API: the request (zod, lenient: a block type or field the gateway
// does not know is kept, never a 400) and the message object and usage we write.
// https://docs.anthropic.com/en/api/messages
import { z } from "zod";
import { byType } from "../by-type.ts";

/** cache_control: { type: "ephemeral", ttl?: "5m" | "1h" }; read leniently, a newer type or ttl is Anthropic's to judge. */
const cacheControl = z.looseObject({ type: z.string(), ttl: z.string().nullish() }).nullish();

// Content blocks: https://docs.anthropic.com/en/api/messages#body-messages-content
const textBlock = z.looseObject({
  type: z.literal("text"),
  text: z.string(),
  cache_control: cacheControl,
  citations: z.array(z.unknown()).nullish(),
});

/** An image's or a document's source: base64 bytes, a URL, a Files API id, or (documents) plain text. */
const mediaSource = byType(
  {
    base64: z.looseObject({ type: z.literal("base64"), media_type: z.string().min(1), data: z.string() }),
    url: z.looseObject({ type: z.literal("url"), url: z.string().min(1) }),
    file: z.looseObject({ type: z.literal("file"), file_id: z.string().min(1) }),
    text: z.looseObject({ type: z.literal("text"), data: z.string(), media_type: z.string().nullish() }),
  },
  z.looseObject({ type: z.string() }),
);
export type AnthropicMediaSource = z.infer<typeof mediaSource>;

const imageBlock = z.looseObject({
  type: z.literal("image"),
  source: mediaSource,
  cache_control: cacheControl,
});
const documentBlock = z.looseObject({
  type: z.literal("document"),
  source: mediaSource,
  title: z.string().nullish(),
  context: z.string().nullish(),
  cache_control: cacheControl,
});

/** A tool result's own content: text, images, documents (and newer kinds, kept for an Anthropic target). */
const toolResultPart = byType(
  { text: textBlock, image: imageBlock, document: documentBlock },
  z.looseObject({ type: z.string() }),
);
export type AnthropicToolResultPart = z.infer<typeof toolResultPart>;

const toolUseBlock = z.looseObject({
  type: z.literal("tool_use"),
  id: z.string().min(1),
  name: z.string().min(1),
  input: z.unknown(),
  cache_control: cacheControl,
});
const toolResultBlock = z.looseObject({
  type: z.literal("tool_result"),
  tool_use_id: z.string().min(1),
  content: z.union([z.string(), z.array(toolResultPart)]).nullish(),
  is_error: z.boolean().nullish(),
  cache_control: cacheControl,
});
const thinkingBlock = z.looseObject({
  type: z.literal("thinking"),
  thinking: z.string(),
  signature: z.string().nullish(),
});
const redactedThinkingBlock = z.looseObject({ type: z.literal("redacted_thinking"), data: z.string() });
const serverToolUseBlock = z.looseObject({
  type: z.literal("server_tool_use"),
  id: z.string().min(1),
  name: z.string().min(1),
  input: z.unknown(),
});

/** Blocks of other types (web_search_tool_result, search_result, container_upload...): kept as sent. */
const otherBlock = z.looseObject({ type: z.string().min(1) });

export const contentBlockSchema = byType(
  {
    text: textBlock,
    image: imageBlock,
    document: documentBlock,
    tool_use: toolUseBlock,
    tool_result: toolResultBlock,
    thinking: thinkingBlock,
    redacted_thinking: redactedThinkingBlock,
    server_tool_use: serverToolUseBlock,
  },
  otherBlock,
);
export type AnthropicContentBlockParam = z.infer<typeof contentBlockSchema>;
export type AnthropicTextBlockParam = z.infer<typeof textBlock>;
export type AnthropicImageBlockParam = z.infer<typeof imageBlock>;
export type AnthropicDocumentBlockParam = z.infer<typeof documentBlock>;
export type AnthropicToolUseBlockParam = z.infer<typeof toolUseBlock>;
export type AnthropicToolResultBlockParam = z.infer<typeof toolResultBlock>;
export type AnthropicThinkingBlockParam = z.infer<typeof thinkingBlock>;

/** A turn. role "system" is a mid-conversation system message (the mid-conversation-system beta Claude Code sends). */
const messageSchema = z.looseObject({
  role: z.enum(["user", "assistant", "system"]),
  content: z.union([z.string(), z.array(contentBlockSchema)]),
});
export type AnthropicMessageParam = z.infer<typeof messageSchema>;

const systemSchema = z.union([z.string(), z.array(byType({ text: textBlock }, otherBlock))]);

/**
 * A client tool: no type, or "custom". https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/implement-tool-use
 * input_schema is a JSON Schema (Claude Code's are draft 2020-12), taken as given.
 */
const customTool = z.looseObject({
  type: z.literal("custom").nullish(),
  name: z.string().min(1),
  description: z.string().nullish(),
  input_schema: z.record(z.string(), z.unknown()),
  cache_control: cacheControl,
  strict: z.boolean().nullish(),
});
export type AnthropicCustomTool = z.infer<typeof customTool>;
/** Server and versioned tools (web_search_20250305, bash_20250124, text_editor...): Anthropic's, kept as sent. */
const otherTool = z.looseObject({ type: z.string().min(1), name: z.string().nullish() });
export const toolSchema = byType({ custom: customTool }, otherTool, "custom");
export type AnthropicToolParam = z.infer<typeof toolSchema>;

// https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/implement-tool-use#forcing-tool-use
const toolChoiceSchema = byType(
  {
    auto: z.looseObject({ type: z.literal("auto"), disable_parallel_tool_use: z.boolean().nullish() }),
    any: z.looseObject({ type: z.literal("any"), disable_parallel_tool_use: z.boolean().nullish() }),
    tool: z.looseObject({
      type: z.literal("tool"),
      name: z.string().min(1),
      disable_parallel_tool_use: z.boolean().nullish(),
    }),
    none: z.looseObject({ type: z.literal("none") }),
  },
  z.looseObject({ type: z.string() }),
);

// Extended thinking: https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking
const thinkingSchema = byType(
  {
    enabled: z.looseObject({ type: z.literal("enabled"), budget_tokens: z.number().int().positive() }),
    adaptive: z.looseObject({ type: z.literal("adaptive") }),
    disabled: z.looseObject({ type: z.literal("disabled") }),
  },
  z.looseObject({ type: z.string() }),
);

const optionalFields = {
  system: systemSchema.nullish(),
  stream: z.boolean().nullish(),
  stop_sequences: z.array(z.string()).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  top_k: z.number().int().nonnegative().nullish(),
  metadata: z.looseObject({ user_id: z.string().nullish() }).nullish(),
  tools: z.array(toolSchema).nullish(),
  tool_choice: toolChoiceSchema.nullish(),
  thinking: thinkingSchema.nullish(),
  // https://docs.anthropic.com/en/api/messages#body-output-config
  output_config: z
    .looseObject({
      effort: z.string().nullish(),
      format: z
        .looseObject({ type: z.string(), schema: z.record(z.string(), z.unknown()).nullish() })
        .nullish(),
    })
    .nullish(),
};

export const messagesRequestSchema = z.looseObject({
  model: z.string().min(1, "model must be a non-empty string"),
  max_tokens: z.number().int().positive("max_tokens must be a positive integer"),
  messages: z.array(messageSchema),
  ...optionalFields,
});
export type MessagesRequest = z.infer<typeof messagesRequestSchema>;

/** count_tokens takes the request without max_tokens (https://docs.anthropic.com/en/api/messages-count-tokens). */
export const countTokensRequestSchema = z.looseObject({
  model: z.string().min(1, "model must be a non-empty string"),
  messages: z.array(messageSchema),
  max_tokens: z.number().int().positive().nullish(),
  ...optionalFields,
});
export type CountTokensRequest = z.infer<typeof countTokensRequestSchema>;

// What the gateway writes back. https://docs.anthropic.com/en/api/messages#response-content

export interface MessagesUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

export type OutputBlock =
  | { type: "text"; text: string; citations?: unknown[] }
  | { type: "thinking"; thinking: string; signature: string }
  | { type: "redacted_thinking"; data: string }
  | { type: "tool_use"; id: string; name: string; input: unknown }
  | { type: "server_tool_use"; id: string; name: string; input: unknown }
  | { type: string; tool_use_id: string; content: unknown };

export type MessagesStopReason =
  | "end_turn"
  | "max_tokens"
  | "stop_sequence"
  | "tool_use"
  | "pause_turn"
  | "refusal";

export interface MessageObject {
  id: string;
  type: "message";
  role: "assistant";
  model: string;
  content: OutputBlock[];
  stop_reason: MessagesStopReason | null;
  stop_sequence: string | null;
  usage: MessagesUsage;
}
