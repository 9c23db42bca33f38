// Pure: an Anthropic Messages request -> the canonical request, for a target that is not Anthropic (an Anthropic
// target is sent the client's body as it came). https://docs.anthropic.com/en/api/messages
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import type {
  CacheHint,
  ContentBlock,
  DocumentBlock,
  ImageBlock,
  MediaSource,
  Message,
  TextBlock,
  ToolResultBlock,
} from "../../canonical/content.ts";
import type {
  CanonicalRequest,
  FunctionTool,
  HostedTool,
  ReasoningOptions,
  ToolChoice,
} from "../../canonical/request.ts";
import { emptyRequest } from "../../canonical/request.ts";
import type {
  AnthropicContentBlockParam,
  AnthropicCustomTool,
  AnthropicMediaSource,
  AnthropicToolResultPart,
  CountTokensRequest,
  MessagesRequest,
} from "./schema.ts";
import { redactedIn, thinkingIn } from "./thinking-signature.ts";

/** Request fields this translation reads; any other a client sets is `unmapped` (reported dropped by a target). */
const READ_FIELDS = new Set([
  "model",
  "max_tokens",
  "messages",
  "system",
  "stream",
  "stop_sequences",
  "temperature",
  "top_p",
  "top_k",
  "metadata",
  "tools",
  "tool_choice",
  "thinking",
  "output_config",
]);

/**
 * Claude Code's first system block: a billing line whose content changes on every request
 * ("x-anthropic-billing-header: cc_version=...; cc_entrypoint=...; cch=...;"). It means nothing to another provider,
 * and at the head of the prompt it would break every prefix cache.
 */
export const BILLING_LINE = /^x-anthropic-billing-header:/;

type Notes = string[];

function cacheOf(control: unknown): CacheHint | undefined {
  if (control === null || typeof control !== "object") return undefined;
  const ttl = (control as { ttl?: unknown }).ttl;
  return typeof ttl === "string" ? { ttl } : {};
}

function mediaSource(source: AnthropicMediaSource, what: string, notes: Notes): MediaSource | undefined {
  const record = source as Record<string, unknown>;
  switch (source.type) {
    case "base64":
      return {
        type: "base64",
        mediaType: String(record.media_type).toLowerCase(),
        data: record.data as string,
      };
    case "url":
      return { type: "url", url: record.url as string };
    case "file":
      return { type: "file", fileId: record.file_id as string };
    case "text": {
      // A plain-text document: its text as base64 text/plain, as the canonical media sources have bytes.
      const data = Buffer.from(record.data as string, "utf8").toString("base64");
      return { type: "base64", mediaType: "text/plain", data };
    }
    default:
      notes.push(`an ${what} with a source of type ${source.type} was dropped`);
      return undefined;
  }
}

function textBlock(record: Record<string, unknown>): TextBlock {
  const block: TextBlock = { type: "text", text: record.text as string };
  const cache = cacheOf(record.cache_control);
  if (cache) block.cache = cache;
  if (Array.isArray(record.citations) && record.citations.length > 0) block.citations = record.citations;
  return block;
}

function imageBlock(record: Record<string, unknown>, notes: Notes): ImageBlock | undefined {
  const source = mediaSource(record.source as AnthropicMediaSource, "image", notes);
  if (!source) return undefined;
  const block: ImageBlock = { type: "image", source };
  const cache = cacheOf(record.cache_control);
  if (cache) block.cache = cache;
  return block;
}

/** `at` is the block's place in the request, named in the error when no target reads documents. */
function documentBlock(record: Record<string, unknown>, notes: Notes, at: string): DocumentBlock | undefined {
  const source = mediaSource(record.source as AnthropicMediaSource, "document", notes);
  if (!source) return undefined;
  const block: DocumentBlock = { type: "document", source, at };
  if (typeof record.title === "string") block.title = record.title;
  const cache = cacheOf(record.cache_control);
  if (cache) block.cache = cache;
  return block;
}

function toolResult(record: Record<string, unknown>, notes: Notes, at: string): ToolResultBlock {
  const content: ToolResultBlock["content"] = [];
  const given = record.content as string | AnthropicToolResultPart[] | null | undefined;
  if (typeof given === "string") {
    if (given !== "") content.push({ type: "text", text: given });
  } else {
    for (const [index, part] of (given ?? []).entries()) {
      const partRecord = part as Record<string, unknown>;
      const block =
        part.type === "text"
          ? textBlock(partRecord)
          : part.type === "image"
            ? imageBlock(partRecord, notes)
            : part.type === "document"
              ? documentBlock(partRecord, notes, `${at}.content[${index}]`)
              : undefined;
      if (block) content.push(block);
      else if (part.type !== "image" && part.type !== "document")
        notes.push(`a ${part.type} block in a tool_result was dropped`);
    }
  }
  const block: ToolResultBlock = { type: "tool_result", callId: record.tool_use_id as string, content };
  if (record.is_error === true) block.isError = true;
  const cache = cacheOf(record.cache_control);
  if (cache) block.cache = cache;
  return block;
}

/** A server tool's result block (web_search_tool_result...): kept in the tool's own shape. */
function serverResult(record: Record<string, unknown>): ContentBlock | undefined {
  const type = record.type as string;
  if (!type.endsWith("_tool_result") || typeof record.tool_use_id !== "string") return undefined;
  return {
    type: "server_tool_result",
    callId: record.tool_use_id,
    resultType: type,
    content: record.content ?? null,
  };
}

function blockOf(block: AnthropicContentBlockParam, notes: Notes, at: string): ContentBlock | undefined {
  const record = block as Record<string, unknown>;
  switch (block.type) {
    case "text":
      return textBlock(record);
    case "image":
      return imageBlock(record, notes);
    case "document":
      return documentBlock(record, notes, at);
    case "tool_use":
      return {
        type: "tool_call",
        id: record.id as string,
        name: record.name as string,
        arguments: JSON.stringify(record.input ?? {}),
      };
    case "tool_result":
      return toolResult(record, notes, at);
    case "thinking":
      return thinkingIn(record.thinking as string, record.signature as string | null | undefined);
    case "redacted_thinking":
      return redactedIn(record.data as string);
    case "server_tool_use":
      return {
        type: "server_tool_call",
        id: record.id as string,
        name: record.name as string,
        input: record.input,
      };
    default: {
      const result = serverResult(record);
      if (!result) notes.push(`a content block of type ${block.type} was dropped`);
      return result;
    }
  }
}

/** A message's blocks; `at` is the message's content field ("messages[2].content"). */
function blocksOf(content: string | AnthropicContentBlockParam[], notes: Notes, at: string): ContentBlock[] {
  if (typeof content === "string") return content === "" ? [] : [{ type: "text", text: content }];
  const blocks: ContentBlock[] = [];
  for (const [index, block] of content.entries()) {
    const converted = blockOf(block, notes, `${at}[${index}]`);
    if (converted) blocks.push(converted);
  }
  return blocks;
}

/** Consecutive turns of one role make one turn, as Anthropic reads them. */
function push(turns: Message[], role: Message["role"], blocks: ContentBlock[]): void {
  if (blocks.length === 0) return;
  const last = turns.at(-1);
  if (last && last.role === role) last.content.push(...blocks);
  else turns.push({ role, content: blocks });
}

function systemOf(system: MessagesRequest["system"], notes: Notes): TextBlock[] {
  if (system == null) return [];
  if (typeof system === "string") return system === "" ? [] : [{ type: "text", text: system }];
  const blocks: TextBlock[] = [];
  for (const [index, block] of system.entries()) {
    if (block.type !== "text") {
      notes.push(`a system block of type ${block.type} was dropped`);
      continue;
    }
    const text = textBlock(block as Record<string, unknown>);
    if (index === 0 && BILLING_LINE.test(text.text)) continue;
    blocks.push(text);
  }
  return blocks;
}

/**
 * Turns in order. A system message inside the conversation stays where it is, as user text: moved to the system
 * prompt it would change the head of every later request, which is what a provider's prefix cache keys on.
 */
function messagesOf(messages: MessagesRequest["messages"], notes: Notes): Message[] {
  const turns: Message[] = [];
  let inlineSystem = false;
  for (const [index, message] of messages.entries()) {
    const content = message.content as string | AnthropicContentBlockParam[];
    const blocks = blocksOf(content, notes, `messages[${index}].content`);
    if (message.role === "system") {
      inlineSystem = true;
      push(
        turns,
        "user",
        blocks.filter((block) => block.type === "text"),
      );
    } else push(turns, message.role, blocks);
  }
  if (inlineSystem) notes.push("a system message inside messages was sent as user text in its place");
  return turns;
}

function functionTool(tool: AnthropicCustomTool): FunctionTool {
  const out: FunctionTool = { name: tool.name, parameters: tool.input_schema };
  if (tool.description) out.description = tool.description;
  if (tool.strict != null) out.strict = tool.strict;
  const cache = cacheOf(tool.cache_control);
  if (cache) out.cache = cache;
  return out;
}

/** Client tools, and Anthropic's own (server and versioned tools), which only an Anthropic target can take. */
function toolsOf(tools: MessagesRequest["tools"]): { functions: FunctionTool[]; hosted: HostedTool[] } {
  const functions: FunctionTool[] = [];
  const hosted: HostedTool[] = [];
  for (const tool of tools ?? []) {
    if (tool.type == null || tool.type === "custom")
      functions.push(functionTool(tool as AnthropicCustomTool));
    else {
      const record = tool as Record<string, unknown>;
      const name = typeof record.name === "string" ? record.name : tool.type;
      hosted.push({ kind: tool.type.replace(/_\d{8}$/, ""), name, config: record });
    }
  }
  return { functions, hosted };
}

function toolChoiceOf(
  choice: MessagesRequest["tool_choice"],
  notes: Notes,
): { choice?: ToolChoice; parallel?: boolean } {
  if (choice == null) return {};
  const record = choice as Record<string, unknown>;
  const parallel = record.disable_parallel_tool_use === true ? { parallel: false } : {};
  switch (choice.type) {
    case "auto":
      return { choice: { type: "auto" }, ...parallel };
    case "any":
      return { choice: { type: "required" }, ...parallel };
    case "tool":
      return { choice: { type: "tool", name: record.name as string }, ...parallel };
    case "none":
      return { choice: { type: "none" } };
    default:
      notes.push(`tool_choice of type ${choice.type} was dropped`);
      return {};
  }
}

/** thinking and output_config.effort: https://docs.anthropic.com/en/api/messages#body-thinking */
function reasoningOf(
  request: MessagesRequest | CountTokensRequest,
  notes: Notes,
): ReasoningOptions | undefined {
  const reasoning: ReasoningOptions = {};
  const thinking = request.thinking as Record<string, unknown> | null | undefined;
  switch (thinking?.type) {
    case undefined:
      break;
    case "enabled":
      reasoning.budgetTokens = thinking.budget_tokens as number;
      break;
    case "adaptive":
      reasoning.adaptive = true;
      break;
    case "disabled":
      reasoning.disabled = true;
      break;
    default:
      notes.push(`thinking of type ${String(thinking?.type)} was dropped`);
  }
  const effort = request.output_config?.effort;
  if (effort) reasoning.effort = effort;
  return Object.keys(reasoning).length > 0 ? reasoning : undefined;
}

/** A stable, short stand-in for Claude Code's metadata.user_id (a session id inside): OpenAI caps ids at 64 chars. */
function digestOf(text: string, length: number): string {
  return createHash("sha256").update(text, "utf8").digest("hex").slice(0, length);
}

/** What metadata.user_id gives another provider: the end user, and a prompt cache key stable over the session. */
function applyUser(canonical: CanonicalRequest, userId: string | null | undefined): void {
  if (!userId) return;
  canonical.user = userId.length <= 64 ? userId : `aisbf-${digestOf(userId, 40)}`;
  canonical.promptCacheKey = `aisbf-${digestOf(userId, 32)}`;
}

function applyFields(
  canonical: CanonicalRequest,
  request: MessagesRequest | CountTokensRequest,
  notes: Notes,
): void {
  const { functions, hosted } = toolsOf(request.tools);
  canonical.tools = functions;
  canonical.hostedTools = hosted;
  const { choice, parallel } = toolChoiceOf(request.tool_choice, notes);
  if (choice) canonical.toolChoice = choice;
  if (parallel !== undefined) canonical.parallelToolCalls = parallel;
  if (request.max_tokens != null) canonical.maxOutputTokens = request.max_tokens;
  if (request.temperature != null) canonical.temperature = request.temperature;
  if (request.top_p != null) canonical.topP = request.top_p;
  if (request.top_k != null) canonical.topK = request.top_k;
  if (request.stop_sequences && request.stop_sequences.length > 0) canonical.stop = request.stop_sequences;
  const reasoning = reasoningOf(request, notes);
  if (reasoning) canonical.reasoning = reasoning;
  const format = request.output_config?.format;
  if (format?.type === "json_schema" && format.schema) {
    canonical.output = { type: "json_schema", name: "output", schema: format.schema };
  }
  applyUser(canonical, request.metadata?.user_id);
}

function unmappedOf(request: MessagesRequest | CountTokensRequest): string[] {
  const unmapped: string[] = [];
  for (const [field, value] of Object.entries(request as Record<string, unknown>)) {
    if (!READ_FIELDS.has(field) && value != null && value !== false) unmapped.push(field);
  }
  for (const field of Object.keys(request.output_config ?? {})) {
    if (field !== "effort" && field !== "format") unmapped.push(`output_config.${field}`);
  }
  return unmapped;
}

export interface MessagesCanonical {
  canonical: CanonicalRequest;
  /** Claude Code's billing line was left out of the system prompt. */
  billingLineDropped: boolean;
}

export function messagesToCanonical(request: MessagesRequest | CountTokensRequest): MessagesCanonical {
  const notes: Notes = [];
  const system = systemOf(request.system, notes);
  const first = Array.isArray(request.system) ? request.system[0] : undefined;
  const billingLineDropped = first?.type === "text" && BILLING_LINE.test(String(first.text));
  const canonical = emptyRequest(messagesOf(request.messages, notes));
  canonical.system = system;
  canonical.stream = request.stream === true;
  // A Messages stream always carries usage (message_start, message_delta).
  canonical.includeUsage = true;
  applyFields(canonical, request, notes);
  canonical.unmapped = unmappedOf(request);
  canonical.notes = notes;
  return { canonical, billingLineDropped };
}
