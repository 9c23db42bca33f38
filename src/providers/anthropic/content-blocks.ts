// Pure: canonical content blocks -> Anthropic content block params, with a warning for each one it cannot take.
// Content blocks: https://docs.anthropic.com/en/api/messages#body-messages-content
import type Anthropic from "@anthropic-ai/sdk";
import { z } from "zod";
import type {
  ContentBlock,
  ServerToolCallBlock,
  ServerToolResultBlock,
  TextBlock,
  ToolCallBlock,
  ToolResultBlock,
} from "../../canonical/content.ts";
import { cacheControlOf } from "./cache-control.ts";
import { documentParam, imageParam } from "./media-blocks.ts";
import { thinkingParam } from "./reasoning.ts";

type Warn = (text: string) => void;

/**
 * A server tool's call sent back as it came. The SDK's ServerToolUseBlockParam names only the tools it knows; a
 * newer tool's name is Anthropic's to judge, so the name is any string here.
 * https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/web-search-tool
 */
export interface ServerToolUseParam {
  type: "server_tool_use";
  id: string;
  name: string;
  input: unknown;
}

/**
 * A server tool's result block sent back as it came (web_search_tool_result, code_execution_tool_result...): its
 * type is the canonical block's resultType, and its content is in that tool's own shape.
 */
export interface ServerToolResultParam {
  type: string;
  tool_use_id: string;
  content: unknown;
}

export type AnthropicBlockParam =
  | Anthropic.ContentBlockParam
  | CitedTextParam
  | ServerToolUseParam
  | ServerToolResultParam;

/** Anthropic tool ids must match ^[a-zA-Z0-9_-]+$; the same mapping on tool_use and tool_result keeps them paired. */
export function anthropicToolId(id: string): string {
  return id.replace(/[^a-zA-Z0-9_-]/g, "_") || "tool";
}

/** A text block; empty text is left out because Anthropic rejects empty text blocks. */
export function textParam(block: TextBlock, warn: Warn): Anthropic.TextBlockParam | null {
  if (block.text === "") return null;
  const param: Anthropic.TextBlockParam = { type: "text", text: block.text };
  if (block.cache) param.cache_control = cacheControlOf(block.cache, warn);
  if (block.citations && block.citations.length > 0)
    warn("citations outside an assistant message were dropped");
  return param;
}

/**
 * A citation of Anthropic's, as its answer gave it. The web search tool's citations carry an encrypted_index that
 * must come back in a multi-turn conversation (https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/web-search-tool#citations);
 * another provider's (OpenAI url_citation annotations) would be rejected. Citation types:
 * https://docs.anthropic.com/en/docs/build-with-claude/citations
 */
const anthropicCitationSchema = z.looseObject({
  type: z.enum([
    "char_location",
    "page_location",
    "content_block_location",
    "web_search_result_location",
    "search_result_location",
  ]),
});
export type CitationParam = z.infer<typeof anthropicCitationSchema>;

/** Assistant text with its citations, sent back as Anthropic gave them. */
export interface CitedTextParam extends Omit<Anthropic.TextBlockParam, "citations"> {
  citations: CitationParam[];
}

function assistantTextParam(block: TextBlock, warn: Warn): Anthropic.TextBlockParam | CitedTextParam | null {
  const param = textParam(
    { type: "text", text: block.text, ...(block.cache ? { cache: block.cache } : {}) },
    warn,
  );
  if (!param || !block.citations || block.citations.length === 0) return param;
  const citations: CitationParam[] = [];
  for (const citation of block.citations) {
    const parsed = anthropicCitationSchema.safeParse(citation);
    if (parsed.success) citations.push(parsed.data);
  }
  if (citations.length < block.citations.length) warn("citations not made by Anthropic were dropped");
  return citations.length > 0 ? { ...param, citations } : param;
}

type ToolResultPart = Anthropic.TextBlockParam | Anthropic.ImageBlockParam | Anthropic.DocumentBlockParam;

// https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/implement-tool-use#handling-tool-use-and-tool-result-content-blocks
export function toolResultParam(block: ToolResultBlock, warn: Warn): Anthropic.ToolResultBlockParam {
  const param: Anthropic.ToolResultBlockParam = {
    type: "tool_result",
    tool_use_id: anthropicToolId(block.callId),
  };
  const parts: ToolResultPart[] = [];
  for (const part of block.content) {
    const converted =
      part.type === "text"
        ? textParam(part, warn)
        : part.type === "image"
          ? imageParam(part, warn)
          : documentParam(part, warn);
    if (converted) parts.push(converted);
  }
  // One plain text is sent as a string, the form most tool results take.
  const only = parts.length === 1 ? parts[0] : undefined;
  if (only?.type === "text" && only.cache_control === undefined) {
    param.content = only.text;
  } else if (parts.length > 0) param.content = parts;
  if (block.isError) param.is_error = true;
  if (block.cache) param.cache_control = cacheControlOf(block.cache, warn);
  return param;
}

function toolInput(call: ToolCallBlock, warn: Warn): Record<string, unknown> {
  if (call.arguments.trim() !== "") {
    try {
      const parsed: unknown = JSON.parse(call.arguments);
      if (isRecord(parsed)) return parsed;
    } catch {
      // reported below
    }
    warn(`the arguments of a ${call.name} tool call were not a JSON object and were sent as {}`);
  }
  return {};
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

export function toolUseParam(call: ToolCallBlock, warn: Warn): Anthropic.ToolUseBlockParam {
  return { type: "tool_use", id: anthropicToolId(call.id), name: call.name, input: toolInput(call, warn) };
}

/** Anthropic's server tool ids (srvtoolu_...): a call with another id was made by another provider's tool. */
const SERVER_TOOL_ID = /^srvtoolu_[a-zA-Z0-9_]+$/;

function serverToolUseParam(call: ServerToolCallBlock, warn: Warn): ServerToolUseParam | null {
  if (!SERVER_TOOL_ID.test(call.id)) {
    warn(`a ${call.name} server tool call not made by Anthropic was dropped`);
    return null;
  }
  return { type: "server_tool_use", id: call.id, name: call.name, input: call.input };
}

function serverResultParam(result: ServerToolResultBlock, warn: Warn): ServerToolResultParam | null {
  if (!SERVER_TOOL_ID.test(result.callId) || !result.resultType.endsWith("_tool_result")) {
    warn(`a ${result.resultType} server tool result not made by Anthropic was dropped`);
    return null;
  }
  return { type: result.resultType, tool_use_id: result.callId, content: result.content };
}

/** A user turn's block: text, images, documents and tool results. */
export function userBlockParam(block: ContentBlock, warn: Warn): AnthropicBlockParam | null {
  switch (block.type) {
    case "text":
      return textParam(block, warn);
    case "image":
      return imageParam(block, warn);
    case "document":
      return documentParam(block, warn);
    case "tool_result":
      return toolResultParam(block, warn);
    case "audio":
      warn("audio input is not supported by Anthropic and was dropped");
      return null;
    case "refusal":
      return textParam({ type: "text", text: block.text }, warn);
    default:
      warn(`a ${block.type} block in a user message was dropped`);
      return null;
  }
}

/** An assistant turn's block: reasoning, text, tool calls and server tool blocks. */
export function assistantBlockParam(block: ContentBlock, warn: Warn): AnthropicBlockParam | null {
  switch (block.type) {
    case "text":
      return assistantTextParam(block, warn);
    // A refusal is what the assistant said: text to Anthropic, which has no refusal block.
    case "refusal":
      return textParam({ type: "text", text: block.text }, warn);
    case "thinking":
    case "redacted_thinking":
      return thinkingParam(block, warn);
    case "tool_call":
      return toolUseParam(block, warn);
    case "server_tool_call":
      return serverToolUseParam(block, warn);
    case "server_tool_result":
      return serverResultParam(block, warn);
    case "image":
      warn("an image in an assistant message was dropped");
      return null;
    case "document":
      warn("a document in an assistant message was dropped");
      return null;
    case "audio":
      warn("audio in an assistant message was dropped");
      return null;
    case "tool_result":
      warn("a tool result in an assistant message was dropped");
      return null;
  }
}
