// Pure: an OpenAI Chat Completions request -> the canonical request.
// https://platform.openai.com/docs/api-reference/chat/create

import { z } from "zod";
import type {
  CacheHint,
  ContentBlock,
  DocumentBlock,
  ImageBlock,
  MediaSource,
  Message,
  TextBlock,
  ToolCallBlock,
  ToolResultBlock,
} from "../../canonical/content.ts";
import type {
  CanonicalRequest,
  OutputFormat,
  ReasoningOptions,
  ToolChoice,
} from "../../canonical/request.ts";
import type { ChatMessage, ChatRequest, ContentPart, ResponseFormat } from "../chat.ts";
import { blocksFromDetails } from "./reasoning-details.ts";

/** Request fields this translation reads; any other a client sets is listed in `unmapped`. */
const READ_FIELDS = new Set([
  "model",
  "messages",
  "stream",
  "stream_options",
  "max_tokens",
  "max_completion_tokens",
  "temperature",
  "top_p",
  "top_k",
  "n",
  "stop",
  "seed",
  "presence_penalty",
  "frequency_penalty",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "response_format",
  "user",
  "metadata",
  "prompt_cache_key",
  "reasoning_effort",
  "thinking",
]);

const DATA_URL = /^data:([^;,]+)((?:;[^;,]+)*),(.*)$/s;

/** A base64 data: URL as bytes and type; any other URL (http, or data: that is not base64) stays a URL. */
export function mediaSourceOf(url: string): MediaSource {
  const data = DATA_URL.exec(url);
  if (data && (data[2] ?? "").split(";").includes("base64")) {
    return { type: "base64", mediaType: (data[1] ?? "").toLowerCase(), data: data[3] ?? "" };
  }
  return { type: "url", url };
}

/** OpenRouter's and Anthropic-minded clients' cache_control on a content part. */
function cacheOf(part: Record<string, unknown>): CacheHint | undefined {
  const control = part.cache_control;
  if (control === null || typeof control !== "object") return undefined;
  const ttl = (control as { ttl?: unknown }).ttl;
  return typeof ttl === "string" ? { ttl } : {};
}

function withCache<T extends TextBlock | ImageBlock | DocumentBlock>(
  block: T,
  part: Record<string, unknown>,
): T {
  const cache = cacheOf(part);
  if (cache) block.cache = cache;
  return block;
}

type Notes = string[];

function partBlock(part: ContentPart, notes: Notes): ContentBlock | undefined {
  const record = part as Record<string, unknown>;
  switch (part.type) {
    case "text":
      return typeof record.text === "string"
        ? withCache({ type: "text", text: record.text }, record)
        : undefined;
    case "refusal":
      return typeof record.refusal === "string" ? { type: "refusal", text: record.refusal } : undefined;
    case "image_url": {
      const image = record.image_url as { url?: unknown; detail?: unknown } | undefined;
      if (typeof image?.url !== "string") return undefined;
      const block: ImageBlock = { type: "image", source: mediaSourceOf(image.url) };
      if (typeof image.detail === "string") block.detail = image.detail;
      return withCache(block, record);
    }
    case "input_audio": {
      const audio = record.input_audio as { data?: unknown; format?: unknown } | undefined;
      if (typeof audio?.data !== "string" || typeof audio.format !== "string") return undefined;
      return { type: "audio", data: audio.data, format: audio.format };
    }
    case "file": {
      const file = record.file as { file_data?: unknown; file_id?: unknown; filename?: unknown } | undefined;
      let source: MediaSource | undefined;
      if (typeof file?.file_data === "string") source = mediaSourceOf(file.file_data);
      else if (typeof file?.file_id === "string") source = { type: "file", fileId: file.file_id };
      if (!source) return undefined;
      const block: DocumentBlock = { type: "document", source };
      if (typeof file?.filename === "string") block.filename = file.filename;
      return withCache(block, record);
    }
    default:
      notes.push(`a content part of type ${part.type} was dropped`);
      return undefined;
  }
}

function blocksOf(content: ChatMessage["content"], notes: Notes): ContentBlock[] {
  if (content == null) return [];
  if (typeof content === "string") return content === "" ? [] : [{ type: "text", text: content }];
  const blocks: ContentBlock[] = [];
  for (const part of content) {
    const block = partBlock(part, notes);
    if (block) blocks.push(block);
  }
  return blocks;
}

/** A system message's text: the canonical system prompt is text only, so anything else is noted as dropped. */
function textBlocksOf(content: ChatMessage["content"], notes: Notes): TextBlock[] {
  const blocks = blocksOf(content, notes);
  const texts = blocks.filter((block): block is TextBlock => block.type === "text");
  for (const block of blocks) {
    if (block.type !== "text")
      notes.push(`a content part of type ${partName(block.type)} in a system message was dropped`);
  }
  return texts;
}

/** A canonical block's type as the Chat API names the part it came from. */
function partName(type: ContentBlock["type"]): string {
  return type === "image"
    ? "image_url"
    : type === "audio"
      ? "input_audio"
      : type === "document"
        ? "file"
        : type;
}

/**
 * Google's own OpenAI layer returns a tool call's Gemini thought signature as extra_content.google.thought_signature,
 * and clients written for it send it back there (https://ai.google.dev/gemini-api/docs/thought-signatures).
 */
const googleSignatureSchema = z.object({
  extra_content: z.object({ google: z.object({ thought_signature: z.string().min(1) }) }),
});

function assistantTurn(message: Extract<ChatMessage, { role: "assistant" }>, notes: Notes): Message {
  const { blocks: thinking, skipped } = blocksFromDetails(message.reasoning_details);
  if (skipped > 0) notes.push("reasoning_details entries that could not be read were dropped");
  const content: ContentBlock[] = [...thinking];
  // reasoning_content alone is display text: it has no signature, and is kept as unsigned thinking.
  if (thinking.length === 0 && message.reasoning_content) {
    content.push({ type: "thinking", text: message.reasoning_content });
  }
  content.push(...blocksOf(message.content, notes));
  if (typeof message.refusal === "string" && message.refusal !== "") {
    content.push({ type: "refusal", text: message.refusal });
  }
  for (const call of message.tool_calls ?? []) {
    const block: ToolCallBlock = {
      type: "tool_call",
      id: call.id,
      name: call.function.name,
      arguments: call.function.arguments,
    };
    const signature = googleSignatureSchema.safeParse(call);
    if (signature.success) block.signature = signature.data.extra_content.google.thought_signature;
    content.push(block);
  }
  if (message.function_call != null)
    notes.push("the deprecated function_call field was dropped; use tool_calls");
  return { role: "assistant", content };
}

function toolResult(message: Extract<ChatMessage, { role: "tool" }>, notes: Notes): ToolResultBlock {
  const content: ToolResultBlock["content"] = [];
  for (const block of blocksOf(message.content, notes)) {
    if (block.type === "text" || block.type === "image" || block.type === "document") content.push(block);
    else notes.push(`a content part of type ${partName(block.type)} in a tool message was dropped`);
  }
  return { type: "tool_result", callId: message.tool_call_id, content };
}

/** System text first, then the turns; a tool message is a tool_result block of a user turn. */
function convertMessages(
  messages: ChatMessage[],
  notes: Notes,
): { system: TextBlock[]; messages: Message[] } {
  const system: TextBlock[] = [];
  const turns: Message[] = [];
  for (const message of messages) {
    switch (message.role) {
      case "system":
      case "developer":
        if (turns.length > 0)
          notes.push("a system message inside the conversation was moved to the system prompt");
        system.push(...textBlocksOf(message.content, notes));
        break;
      case "user": {
        const turn: Message = { role: "user", content: blocksOf(message.content, notes) };
        if (message.name) turn.name = message.name;
        turns.push(turn);
        break;
      }
      case "assistant":
        turns.push(assistantTurn(message, notes));
        break;
      case "tool":
        turns.push({ role: "user", content: [toolResult(message, notes)] });
        break;
      case "function":
        notes.push("a deprecated function-role message was dropped; use tool messages");
        break;
    }
  }
  return { system, messages: turns };
}

function toolChoiceOf(choice: ChatRequest["tool_choice"]): ToolChoice | undefined {
  if (choice == null) return undefined;
  if (typeof choice === "string") return { type: choice };
  return { type: "tool", name: choice.function.name };
}

function outputOf(format: ResponseFormat | null | undefined): OutputFormat | undefined {
  if (format == null) return undefined;
  if (format.type !== "json_schema") return { type: format.type };
  const spec = format.json_schema;
  const output: OutputFormat = { type: "json_schema", name: spec.name };
  if (spec.schema) output.schema = spec.schema;
  if (spec.strict != null) output.strict = spec.strict;
  if (spec.description) output.description = spec.description;
  return output;
}

/** reasoning_effort, or Anthropic's `thinking` object that some clients send on the Chat API. */
function reasoningOf(request: ChatRequest): ReasoningOptions | undefined {
  const record = request as Record<string, unknown>;
  const reasoning: ReasoningOptions = {};
  if (typeof record.reasoning_effort === "string") reasoning.effort = record.reasoning_effort;
  const thinking = record.thinking as { type?: unknown; budget_tokens?: unknown } | null | undefined;
  if (thinking && typeof thinking === "object") {
    if (thinking.type === "enabled" && typeof thinking.budget_tokens === "number") {
      reasoning.budgetTokens = thinking.budget_tokens;
    } else if (thinking.type === "adaptive") reasoning.adaptive = true;
    else if (thinking.type === "disabled") reasoning.disabled = true;
  }
  return Object.keys(reasoning).length > 0 ? reasoning : undefined;
}

const numberOr = (value: unknown): number | undefined => (typeof value === "number" ? value : undefined);

export function chatToCanonical(request: ChatRequest): CanonicalRequest {
  const notes: Notes = [];
  const record = request as Record<string, unknown>;
  const { system, messages } = convertMessages(request.messages, notes);
  const canonical: CanonicalRequest = {
    system,
    messages,
    tools: (request.tools ?? []).map((tool) => {
      const { name, description, parameters, strict } = tool.function;
      return {
        name,
        ...(description !== undefined ? { description } : {}),
        ...(parameters !== undefined ? { parameters } : {}),
        ...(strict != null ? { strict } : {}),
      };
    }),
    hostedTools: [],
    stop: request.stop == null ? [] : typeof request.stop === "string" ? [request.stop] : request.stop,
    stream: request.stream === true,
    includeUsage: request.stream_options?.include_usage === true,
    choices: request.n ?? 1,
    unmapped: [],
    notes,
  };
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  if (maxTokens != null) canonical.maxOutputTokens = maxTokens;
  if (request.temperature != null) canonical.temperature = request.temperature;
  if (request.top_p != null) canonical.topP = request.top_p;
  const topK = numberOr(record.top_k);
  if (topK !== undefined) canonical.topK = topK;
  const seed = numberOr(record.seed);
  if (seed !== undefined) canonical.seed = seed;
  const presence = numberOr(record.presence_penalty);
  if (presence !== undefined) canonical.presencePenalty = presence;
  const frequency = numberOr(record.frequency_penalty);
  if (frequency !== undefined) canonical.frequencyPenalty = frequency;
  const toolChoice = toolChoiceOf(request.tool_choice);
  if (toolChoice) canonical.toolChoice = toolChoice;
  if (request.parallel_tool_calls != null) canonical.parallelToolCalls = request.parallel_tool_calls;
  const output = outputOf(request.response_format);
  if (output) canonical.output = output;
  const reasoning = reasoningOf(request);
  if (reasoning) canonical.reasoning = reasoning;
  if (request.user != null) canonical.user = request.user;
  if (typeof record.prompt_cache_key === "string") canonical.promptCacheKey = record.prompt_cache_key;
  const metadata = record.metadata;
  if (metadata && typeof metadata === "object" && !Array.isArray(metadata)) {
    canonical.metadata = Object.fromEntries(
      Object.entries(metadata).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
    );
  }
  for (const [field, value] of Object.entries(record)) {
    // A false flag (logprobs: false, store: false) asks for nothing another provider would have to do.
    if (!READ_FIELDS.has(field) && value != null && value !== false) canonical.unmapped.push(field);
  }
  return canonical;
}
