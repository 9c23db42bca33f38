// Pure: OpenAI chat messages -> Anthropic `system` blocks and alternating user/assistant turns.
// Messages and content blocks: https://docs.anthropic.com/en/api/messages
// Tool results: https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/implement-tool-use#handling-tool-use-and-tool-result-content-blocks
import type Anthropic from "@anthropic-ai/sdk";
import type { ChatMessage, ContentPart } from "../../api/chat.ts";
import { thinkingBlocksFrom } from "./reasoning.ts";

type Warn = (text: string) => void;
type Turn = { role: "user" | "assistant"; content: Anthropic.ContentBlockParam[] };

// https://docs.anthropic.com/en/docs/build-with-claude/vision
const IMAGE_MEDIA_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp"] as const;
type ImageMediaType = (typeof IMAGE_MEDIA_TYPES)[number];
const DATA_URL = /^data:([^;,]+)((?:;[^;,]+)*),(.*)$/s;

/** Anthropic tool ids must match ^[a-zA-Z0-9_-]+$; the same mapping on tool_use and tool_result keeps them paired. */
export function anthropicToolId(id: string): string {
  return id.replace(/[^a-zA-Z0-9_-]/g, "_") || "tool";
}

function isImageMediaType(value: string): value is ImageMediaType {
  return (IMAGE_MEDIA_TYPES as readonly string[]).includes(value);
}

/** data: URLs become base64 sources, http(s) URLs become url sources; anything else is dropped. */
function imageBlock(url: string, warn: Warn): Anthropic.ImageBlockParam | null {
  const data = DATA_URL.exec(url);
  if (data) {
    const mediaType = (data[1] ?? "").toLowerCase();
    if (!(data[2] ?? "").split(";").includes("base64")) {
      warn("an image data: URL that is not base64 was dropped");
      return null;
    }
    if (!isImageMediaType(mediaType)) {
      warn(`an image of type ${mediaType} was dropped: Anthropic takes jpeg, png, gif and webp`);
      return null;
    }
    return { type: "image", source: { type: "base64", media_type: mediaType, data: data[3] ?? "" } };
  }
  if (/^https?:\/\//i.test(url)) return { type: "image", source: { type: "url", url } };
  warn("an image URL that is neither data: nor http(s) was dropped");
  return null;
}

type TextOrImage = Anthropic.TextBlockParam | Anthropic.ImageBlockParam;

function partBlock(part: ContentPart, allowImages: boolean, warn: Warn): TextOrImage | null {
  if (part.type === "text" && "text" in part && typeof part.text === "string") {
    return part.text === "" ? null : { type: "text", text: part.text };
  }
  if (
    part.type === "refusal" &&
    "refusal" in part &&
    typeof part.refusal === "string" &&
    part.refusal !== ""
  ) {
    return { type: "text", text: part.refusal };
  }
  if (
    part.type === "image_url" &&
    "image_url" in part &&
    typeof part.image_url === "object" &&
    part.image_url
  ) {
    if (allowImages) return imageBlock(String((part.image_url as { url: unknown }).url), warn);
    warn("an image in a system or assistant message was dropped");
    return null;
  }
  warn(`a content part of type ${part.type} is not supported by Anthropic and was dropped`);
  return null;
}

/** Text and image blocks of one message; empty text is skipped because Anthropic rejects empty text blocks. */
function contentBlocks(content: ChatMessage["content"], allowImages: boolean, warn: Warn): TextOrImage[] {
  if (content == null) return [];
  if (typeof content === "string") return content === "" ? [] : [{ type: "text", text: content }];
  const blocks: TextOrImage[] = [];
  for (const part of content) {
    const block = partBlock(part, allowImages, warn);
    if (block) blocks.push(block);
  }
  return blocks;
}

function toolInput(argumentsText: string, name: string, warn: Warn): Record<string, unknown> {
  if (argumentsText.trim() === "") return {};
  try {
    const parsed: unknown = JSON.parse(argumentsText);
    if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // reported below
  }
  warn(`the arguments of a ${name} tool call were not a JSON object and were sent as {}`);
  return {};
}

/** Thinking blocks first (Anthropic requires them ahead of tool_use), then text, then tool calls. */
function assistantBlocks(message: Extract<ChatMessage, { role: "assistant" }>, warn: Warn) {
  const blocks: Anthropic.ContentBlockParam[] = [];
  const { blocks: thinking, skipped } = thinkingBlocksFrom(message.reasoning_details);
  if (skipped > 0) warn("reasoning_details entries not produced by Anthropic were dropped");
  if (thinking.length === 0 && message.reasoning_content) {
    warn("reasoning_content without reasoning_details cannot be sent back to Anthropic and was dropped");
  }
  blocks.push(...thinking, ...contentBlocks(message.content, false, warn));
  for (const call of message.tool_calls ?? []) {
    const input = toolInput(call.function.arguments, call.function.name, warn);
    blocks.push({ type: "tool_use", id: anthropicToolId(call.id), name: call.function.name, input });
  }
  if (message.function_call != null) warn("the deprecated function_call field was dropped; use tool_calls");
  return blocks;
}

function toolResultBlock(
  message: Extract<ChatMessage, { role: "tool" }>,
  warn: Warn,
): Anthropic.ToolResultBlockParam {
  const block: Anthropic.ToolResultBlockParam = {
    type: "tool_result",
    tool_use_id: anthropicToolId(message.tool_call_id),
  };
  if (typeof message.content === "string") {
    if (message.content !== "") block.content = message.content;
  } else {
    const parts = contentBlocks(message.content, true, warn);
    if (parts.length > 0) block.content = parts;
  }
  return block;
}

function systemBlocks(message: ChatMessage, warn: Warn): Anthropic.TextBlockParam[] {
  return contentBlocks(message.content, false, warn).filter(
    (block): block is Anthropic.TextBlockParam => block.type === "text",
  );
}

function turnFor(message: ChatMessage, warn: Warn): Turn | null {
  switch (message.role) {
    case "user":
      if (message.name) warn("message name fields are not supported by Anthropic and were dropped");
      return { role: "user", content: contentBlocks(message.content, true, warn) };
    case "assistant":
      return { role: "assistant", content: assistantBlocks(message, warn) };
    case "tool":
      return { role: "user", content: [toolResultBlock(message, warn)] };
    case "function":
      warn("a deprecated function-role message was dropped; use tool messages");
      return null;
    default:
      return null;
  }
}

/** Consecutive same-role turns are merged: Anthropic wants user and assistant to alternate. */
function mergeTurns(turns: Turn[]): Anthropic.MessageParam[] {
  const merged: Turn[] = [];
  for (const turn of turns) {
    const last = merged.at(-1);
    if (last && last.role === turn.role) last.content.push(...turn.content);
    else merged.push({ role: turn.role, content: [...turn.content] });
  }
  return merged;
}

export function convertMessages(
  messages: ChatMessage[],
  warn: Warn,
): { system: Anthropic.TextBlockParam[]; messages: Anthropic.MessageParam[] } {
  const system: Anthropic.TextBlockParam[] = [];
  const turns: Turn[] = [];
  for (const message of messages) {
    if (message.role === "system" || message.role === "developer") {
      if (turns.length > 0)
        warn("a system message inside the conversation was moved to Anthropic's system prompt");
      system.push(...systemBlocks(message, warn));
      continue;
    }
    const turn = turnFor(message, warn);
    if (!turn) continue;
    if (turn.content.length === 0) {
      warn(`an empty ${message.role} message was dropped`);
      continue;
    }
    turns.push(turn);
  }
  return { system, messages: mergeTurns(turns) };
}
