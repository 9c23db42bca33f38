// Pure translation of our OpenAI-shaped ChatRequest into an Ollama /api/chat request body.
// Field reference: https://github.com/ollama/ollama/blob/main/docs/api.md#generate-a-chat-completion
import type { ChatMessage, ChatRequest, Tool, ToolCall } from "../../api/chat.ts";
import { type TranslatedFields, untranslatedFields } from "../request-fields.ts";
import type { RequestInput, Translated } from "../types.ts";

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

/**
 * Request fields this translator reads; any other field a client sends (logprobs, user, store, metadata, an
 * extension it invented...) has no Ollama equivalent and becomes a warning, never a silent drop.
 */
const TRANSLATED_FIELDS: TranslatedFields = new Set([
  "model",
  "messages",
  "stream",
  "stream_options",
  "max_tokens",
  "max_completion_tokens",
  "temperature",
  "top_p",
  "stop",
  "seed",
  "presence_penalty",
  "frequency_penalty",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "response_format",
  "reasoning_effort",
  "n",
]);

const DATA_URL = /^data:([^;,]+)?(;[^,]*)?;base64,(.*)$/s;

interface MessageContext {
  warnings: Set<string>;
  /** tool_call_id -> function name, from earlier assistant turns, for Ollama's tool_name. */
  callNames: Map<string, string>;
}

/** The text of a message; parts other than text (only user messages carry images here) are reported. */
function textOf(content: ChatMessage["content"], context: MessageContext): string {
  if (content == null) return "";
  if (typeof content === "string") return content;
  const texts: string[] = [];
  for (const part of content) {
    if (part.type === "text" && typeof part.text === "string") texts.push(part.text);
    else context.warnings.add(`content parts of type '${part.type}' outside user messages were dropped`);
  }
  return texts.join("\n");
}

/** Splits parts into text and base64 images; Ollama only takes inline base64, so http URLs are dropped. */
function userContent(
  content: ChatMessage["content"],
  context: MessageContext,
): { text: string; images: string[] } {
  if (content == null || typeof content === "string") return { text: content ?? "", images: [] };
  const texts: string[] = [];
  const images: string[] = [];
  for (const part of content) {
    if (part.type === "text" && typeof part.text === "string") {
      texts.push(part.text);
    } else if (part.type === "image_url") {
      const url = (part as { image_url?: { url?: unknown } }).image_url?.url;
      const match = typeof url === "string" ? DATA_URL.exec(url) : null;
      if (match?.[3]) images.push(match[3]);
      else
        context.warnings.add(
          "image URLs other than base64 data: URLs were dropped (Ollama only accepts inline images)",
        );
    } else {
      context.warnings.add(`content parts of type '${part.type}' were dropped (Ollama does not accept them)`);
    }
  }
  return { text: texts.join("\n"), images };
}

function parseArguments(call: ToolCall, context: MessageContext): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(call.function.arguments || "{}");
    if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // Reported below: Ollama needs an object, so the call is kept with empty arguments.
  }
  context.warnings.add(
    `tool call '${call.function.name}' had arguments that are not a JSON object; sent as {}`,
  );
  return {};
}

function assistantMessage(
  message: Extract<ChatMessage, { role: "assistant" }>,
  context: MessageContext,
): OllamaMessage {
  const out: OllamaMessage = { role: "assistant", content: textOf(message.content, context) };
  // Thinking the client carried back keeps a thinking model's context over several turns.
  if (message.reasoning_content) out.thinking = message.reasoning_content;
  if (message.tool_calls && message.tool_calls.length > 0) {
    out.tool_calls = message.tool_calls.map((call) => {
      context.callNames.set(call.id, call.function.name);
      return {
        id: call.id,
        function: { name: call.function.name, arguments: parseArguments(call, context) },
      };
    });
  }
  return out;
}

function toolMessage(
  message: Extract<ChatMessage, { role: "tool" }>,
  context: MessageContext,
): OllamaMessage {
  const out: OllamaMessage = {
    role: "tool",
    content: textOf(message.content, context),
    tool_call_id: message.tool_call_id,
  };
  const name = context.callNames.get(message.tool_call_id);
  if (name !== undefined) out.tool_name = name;
  else context.warnings.add("a tool result did not match any earlier tool call id; sent without tool_name");
  return out;
}

function translateMessage(message: ChatMessage, context: MessageContext): OllamaMessage {
  switch (message.role) {
    case "system":
    case "developer":
      // Ollama has no developer role; a system message is its equivalent.
      return { role: "system", content: textOf(message.content, context) };
    case "user": {
      if (message.name) context.warnings.add("message 'name' was dropped (Ollama has no per-message name)");
      const { text, images } = userContent(message.content, context);
      return images.length > 0 ? { role: "user", content: text, images } : { role: "user", content: text };
    }
    case "assistant":
      return assistantMessage(message, context);
    case "tool":
      return toolMessage(message, context);
    case "function":
      return { role: "tool", content: textOf(message.content, context), tool_name: message.name };
  }
}

function translateTool(tool: Tool, warnings: Set<string>): OllamaTool {
  if (tool.function.strict) warnings.add("tool 'strict' was dropped (Ollama does not enforce tool schemas)");
  const fn: OllamaTool["function"] = { name: tool.function.name };
  if (tool.function.description !== undefined) fn.description = tool.function.description;
  if (tool.function.parameters !== undefined) fn.parameters = tool.function.parameters;
  return { type: "function", function: fn };
}

/** Ollama has no tool_choice: "none" sends no tools, a named function sends only that one, both with a warning. */
function translateTools(request: ChatRequest, warnings: Set<string>): OllamaTool[] | undefined {
  const tools = request.tools ?? [];
  const choice = request.tool_choice;
  if (tools.length === 0) {
    if (choice != null && choice !== "none")
      warnings.add("tool_choice was dropped: the request has no tools");
    return undefined;
  }
  if (choice === "none") return undefined;
  if (choice === "required") {
    warnings.add(
      "tool_choice 'required' cannot be enforced by Ollama; the model may answer without a tool call",
    );
  }
  if (request.parallel_tool_calls === false) {
    warnings.add("parallel_tool_calls=false was dropped (Ollama cannot limit the number of tool calls)");
  }
  if (choice !== undefined && choice !== null && typeof choice === "object") {
    const named = tools.filter((tool) => tool.function.name === choice.function.name);
    warnings.add("a named tool_choice cannot be enforced by Ollama; only that tool was offered");
    return named.map((tool) => translateTool(tool, warnings));
  }
  return tools.map((tool) => translateTool(tool, warnings));
}

function numberField(request: ChatRequest, name: string): number | undefined {
  const value = (request as Record<string, unknown>)[name];
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

function translateOptions(request: ChatRequest): OllamaOptions | undefined {
  const options: OllamaOptions = {};
  if (request.temperature != null) options.temperature = request.temperature;
  if (request.top_p != null) options.top_p = request.top_p;
  if (request.stop != null) options.stop = typeof request.stop === "string" ? [request.stop] : request.stop;
  // Ollama needs no output budget, so none is invented when the client gives none.
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  if (maxTokens != null) options.num_predict = maxTokens;
  const seed = numberField(request, "seed");
  if (seed !== undefined) options.seed = Math.trunc(seed);
  const presence = numberField(request, "presence_penalty");
  if (presence !== undefined) options.presence_penalty = presence;
  const frequency = numberField(request, "frequency_penalty");
  if (frequency !== undefined) options.frequency_penalty = frequency;
  return Object.keys(options).length > 0 ? options : undefined;
}

function translateFormat(request: ChatRequest): OllamaChatRequest["format"] {
  const format = request.response_format;
  if (!format || format.type === "text") return undefined;
  if (format.type === "json_schema") {
    const schema = (format as { json_schema?: { schema?: Record<string, unknown> } }).json_schema?.schema;
    return schema ?? "json";
  }
  if (format.type === "json_object") return "json";
  return undefined;
}

/** OpenAI reasoning_effort -> Ollama think: "none" turns thinking off, a level is passed through. */
function translateThink(request: ChatRequest, warnings: Set<string>): OllamaChatRequest["think"] {
  const effort = (request as Record<string, unknown>).reasoning_effort;
  if (effort === undefined || effort === null) return undefined;
  if (effort === "none") return false;
  if (effort === "low" || effort === "medium" || effort === "high") return effort;
  if (effort === "minimal") return "low";
  warnings.add(`reasoning_effort '${String(effort)}' was dropped (Ollama takes low, medium or high)`);
  return undefined;
}

function collectUnsupported(request: ChatRequest, warnings: Set<string>): void {
  for (const name of untranslatedFields(request, TRANSLATED_FIELDS).sort())
    warnings.add(`'${name}' was dropped (Ollama does not support it)`);
  if (request.n != null && request.n > 1) warnings.add("n > 1 was dropped (Ollama returns one choice)");
}

/** Our request -> Ollama's; `prefill` becomes a final assistant message, which Ollama continues. */
export function toOllamaRequest({ request, model, prefill }: RequestInput): Translated<OllamaChatRequest> {
  const warnings = new Set<string>();
  const context: MessageContext = { warnings, callNames: new Map() };
  const messages = request.messages.map((message) => translateMessage(message, context));
  if (prefill) messages.push({ role: "assistant", content: prefill });

  const native: OllamaChatRequest = { model, messages, stream: request.stream === true };
  const tools = translateTools(request, warnings);
  if (tools) native.tools = tools;
  const format = translateFormat(request);
  if (format !== undefined) native.format = format;
  const options = translateOptions(request);
  if (options) native.options = options;
  const think = translateThink(request, warnings);
  if (think !== undefined) native.think = think;
  collectUnsupported(request, warnings);
  return { native, warnings: [...warnings] };
}
