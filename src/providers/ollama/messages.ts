// Pure: the canonical conversation (system blocks, turns with tool calls and results) -> Ollama /api/chat messages.
// The message object (role, content, thinking, images, tool_calls, tool_name):
// https://github.com/ollama/ollama/blob/main/docs/api.md#generate-a-chat-completion
import type {
  ContentBlock,
  ImageBlock,
  Message,
  TextBlock,
  ToolCallBlock,
  ToolResultBlock,
} from "../../canonical/content.ts";
import type { CanonicalRequest } from "../../canonical/request.ts";
import type { OllamaMessage, OllamaToolCall } from "./wire.ts";

/** What a cache hint becomes: Ollama reuses its KV cache on its own and takes no breakpoints. */
export const CACHE_HINT_DROPPED = "cache hints were dropped (Ollama takes no cache control)";

interface Conversation {
  warnings: Set<string>;
  /** Tool call id -> the tool's name, from earlier assistant turns, for Ollama's tool_name. */
  callNames: Map<string, string>;
}

/** Why a block of a kind Ollama has no place for (in that role) was dropped. */
function dropped(block: ContentBlock, role: OllamaMessage["role"]): string {
  switch (block.type) {
    case "image":
      return "images outside user messages were dropped (Ollama takes images in user messages only)";
    case "document":
      return "documents were dropped (Ollama does not accept them)";
    case "audio":
      return "audio was dropped (Ollama does not accept it)";
    case "redacted_thinking":
      return "redacted thinking was dropped (Ollama cannot read encrypted reasoning)";
    case "server_tool_call":
    case "server_tool_result":
      return "server tool calls and results were dropped (Ollama runs no hosted tools)";
    case "refusal":
      return "a refusal in the conversation was dropped (Ollama has no refusal content)";
    default:
      return `a ${block.type} block in a ${role} message was dropped (Ollama has no place for it there)`;
  }
}

function noteCache(block: { cache?: unknown }, context: Conversation): void {
  if (block.cache !== undefined) context.warnings.add(CACHE_HINT_DROPPED);
}

function textOf(block: TextBlock, context: Conversation): string {
  noteCache(block, context);
  return block.text;
}

/** Ollama takes inline base64 bytes only (no URL, no file id), and no detail hint. */
function imageData(block: ImageBlock, context: Conversation): string | undefined {
  noteCache(block, context);
  if (block.detail !== undefined && block.detail !== "auto") {
    context.warnings.add("image 'detail' was dropped (Ollama has no image detail setting)");
  }
  const source = block.source;
  if (source.type === "base64" && source.data !== "") return source.data;
  context.warnings.add(
    source.type === "file"
      ? "images given by file id were dropped (Ollama only accepts inline images)"
      : "image URLs other than base64 data: URLs were dropped (Ollama only accepts inline images)",
  );
  return undefined;
}

/** Ollama needs the arguments as an object; text that is not one is sent as {} with a warning. */
function parseArguments(call: ToolCallBlock, context: Conversation): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(call.arguments || "{}");
    if (isRecord(parsed)) return parsed;
  } catch {
    // Reported below: the call is kept with empty arguments.
  }
  context.warnings.add(`tool call '${call.name}' had arguments that are not a JSON object; sent as {}`);
  return {};
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** A tool result is a message of role "tool", named after the call it answers (Ollama pairs them by name). */
function toolMessage(block: ToolResultBlock, context: Conversation): OllamaMessage {
  noteCache(block, context);
  const texts: string[] = [];
  for (const part of block.content) {
    if (part.type === "text") texts.push(textOf(part, context));
    else context.warnings.add(dropped(part, "tool"));
  }
  if (block.isError) {
    context.warnings.add("a tool result's error flag was dropped (Ollama has no error flag on tool results)");
  }
  const out: OllamaMessage = { role: "tool", content: texts.join("\n"), tool_call_id: block.callId };
  const name = context.callNames.get(block.callId) ?? block.name;
  if (name !== undefined) out.tool_name = name;
  else context.warnings.add("a tool result did not match any earlier tool call id; sent without tool_name");
  return out;
}

/** A user turn: its tool results first (they answer the turn before), then its text and images, if any. */
function userMessages(message: Message, context: Conversation, out: OllamaMessage[]): void {
  const texts: string[] = [];
  const images: string[] = [];
  let results = 0;
  for (const block of message.content) {
    if (block.type === "text") texts.push(textOf(block, context));
    else if (block.type === "image") {
      const data = imageData(block, context);
      if (data !== undefined) images.push(data);
    } else if (block.type === "tool_result") {
      out.push(toolMessage(block, context));
      results += 1;
    } else context.warnings.add(dropped(block, "user"));
  }
  if (results > 0 && texts.length === 0 && images.length === 0) return;
  const user: OllamaMessage = { role: "user", content: texts.join("\n") };
  if (images.length > 0) user.images = images;
  out.push(user);
}

/**
 * An assistant turn: text, thinking and tool calls in one message. Thinking goes back as text (it keeps a thinking
 * model's context over a tool loop); a signature proves the text to the provider that made it and means nothing
 * to Ollama, so only the text is sent.
 */
function assistantMessage(message: Message, context: Conversation): OllamaMessage {
  const texts: string[] = [];
  const thinking: string[] = [];
  const calls: OllamaToolCall[] = [];
  for (const block of message.content) {
    if (block.type === "text") texts.push(textOf(block, context));
    else if (block.type === "thinking") {
      if (block.text !== "") thinking.push(block.text);
    } else if (block.type === "tool_call") {
      context.callNames.set(block.id, block.name);
      calls.push({ id: block.id, function: { name: block.name, arguments: parseArguments(block, context) } });
    } else context.warnings.add(dropped(block, "assistant"));
  }
  const out: OllamaMessage = { role: "assistant", content: texts.join("\n") };
  if (thinking.length > 0) out.thinking = thinking.join("\n\n");
  if (calls.length > 0) out.tool_calls = calls;
  return out;
}

/** System instructions first (Ollama's system role), then the turns in order. */
export function toOllamaMessages(request: CanonicalRequest, warnings: Set<string>): OllamaMessage[] {
  const context: Conversation = { warnings, callNames: new Map() };
  const out: OllamaMessage[] = [];
  for (const block of request.system) out.push({ role: "system", content: textOf(block, context) });
  for (const message of request.messages) {
    if (message.name) warnings.add("message 'name' was dropped (Ollama has no per-message name)");
    if (message.role === "user") userMessages(message, context, out);
    else out.push(assistantMessage(message, context));
  }
  return out;
}
