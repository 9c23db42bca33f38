// Pure: the canonical request -> an Anthropic Messages request, plus warnings for what could not be sent.
// Field reference: https://docs.anthropic.com/en/api/messages
import type Anthropic from "@anthropic-ai/sdk";
import type { Message } from "../../canonical/content.ts";
import type { OriginalRequest } from "../../canonical/dialect.ts";
import type {
  CanonicalRequest,
  FunctionTool,
  HostedTool,
  OutputFormat,
  ToolChoice,
} from "../../canonical/request.ts";
import type { CanonicalInput, Translated } from "../types.ts";
import { cacheControlOf } from "./cache-control.ts";
import { type AnthropicMessageParam, convertMessages } from "./messages.ts";
import { applyReasoning } from "./reasoning.ts";

/** A server tool's definition as its dialect gave it ({ type: "web_search_20250305", name, max_uses... }). */
export interface HostedToolParam {
  type: string;
  name: string;
  [setting: string]: unknown;
}

/**
 * The Messages request body without `stream`, which the adapter sets. Messages and tools are wider than the SDK's
 * params: server tool blocks and hosted tools go as their dialect gave them, for Anthropic to judge.
 */
export type AnthropicRequest = Omit<
  Anthropic.MessageCreateParamsNonStreaming,
  "stream" | "messages" | "tools"
> & {
  messages: AnthropicMessageParam[];
  tools?: Array<Anthropic.Tool | HostedToolParam>;
};

export interface AnthropicRequestInput extends CanonicalInput {
  /** provider.models[].max_tokens for this model, when configured. */
  configuredMaxTokens?: number | undefined;
}

/** Anthropic requires max_tokens; this is the last resort when neither the request nor the config gives one. */
export const FALLBACK_MAX_TOKENS = 4096;

type Warn = (text: string) => void;

export function toAnthropicRequest(input: AnthropicRequestInput): Translated<AnthropicRequest> {
  const { request } = input;
  const warnings = new Set<string>(request.notes);
  const warn: Warn = (text) => warnings.add(text);
  const { system, messages } = convertMessages(
    request.system,
    withPrefill(request.messages, input.prefill),
    warn,
  );
  const native: AnthropicRequest = {
    model: input.model,
    max_tokens: maxTokens(input, warn),
    messages,
  };
  if (system.length > 0) native.system = system;
  if (request.stop.length > 0) native.stop_sequences = request.stop;
  if (request.user) native.metadata = { user_id: request.user };
  applyTools(native, request, warn);
  applyOutput(native, request.output, warn);
  applyReasoning(native, request.reasoning, warn);
  reportDropped(request, warn);
  return { native, warnings: [...warnings] };
}

/** Anthropic rejects a final assistant message ending in whitespace, so the prefill goes trimmed. */
function withPrefill(messages: Message[], prefill: string | undefined): Message[] {
  const trimmed = prefill?.trimEnd();
  if (!trimmed) return messages;
  return [...messages, { role: "assistant", content: [{ type: "text", text: trimmed }] }];
}

/** The whitespace cut off the end of a prefill; the model usually writes it again, and the stream drops it. */
export function prefillTrailingWhitespace(prefill: string | undefined): string {
  if (!prefill) return "";
  return prefill.slice(prefill.trimEnd().length);
}

function maxTokens(input: AnthropicRequestInput, warn: Warn): number {
  const asked = input.request.maxOutputTokens;
  if (asked !== undefined) return asked;
  if (input.configuredMaxTokens != null) {
    warn(
      `max_tokens was not set; used the configured default of ${input.configuredMaxTokens} for ${input.model}`,
    );
    return input.configuredMaxTokens;
  }
  warn(`max_tokens was not set; used the default of ${FALLBACK_MAX_TOKENS}`);
  return FALLBACK_MAX_TOKENS;
}

// https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/implement-tool-use
function toAnthropicTool(tool: FunctionTool, warn: Warn): Anthropic.Tool {
  const native: Anthropic.Tool = {
    name: tool.name,
    input_schema: { ...(tool.parameters ?? {}), type: "object" },
  };
  if (tool.description) native.description = tool.description;
  if (tool.strict === true) native.strict = true;
  if (tool.cache) native.cache_control = cacheControlOf(tool.cache, warn);
  return native;
}

/** Anthropic's server tools are versioned by date (web_search_20250305, code_execution_20250825...). */
const SERVER_TOOL_TYPE = /^[a-z][a-z_]*_\d{8}$/;

/**
 * A hosted tool from a dialect of Anthropic's family carries Anthropic's own definition as its config, and goes as
 * it is; another family's (OpenAI's web_search_preview...) has settings Anthropic does not know, and is dropped.
 * Server tools: https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/overview#server-tools
 */
function hostedToolParam(tool: HostedTool, warn: Warn): HostedToolParam | null {
  const type = tool.config.type;
  if (typeof type === "string" && SERVER_TOOL_TYPE.test(type))
    return { ...tool.config, type, name: tool.name };
  warn(`the hosted tool ${tool.name} is not supported by Anthropic and was dropped`);
  return null;
}

function toAnthropicToolChoice(
  choice: ToolChoice | undefined,
  parallel: boolean | undefined,
): Anthropic.ToolChoice | undefined {
  const disableParallel = parallel === false ? { disable_parallel_tool_use: true } : {};
  switch (choice?.type) {
    case "none":
      return { type: "none" };
    case "required":
      return { type: "any", ...disableParallel };
    case "tool":
      return { type: "tool", name: choice.name, ...disableParallel };
    case "auto":
      return { type: "auto", ...disableParallel };
    case undefined:
      return parallel === false ? { type: "auto", ...disableParallel } : undefined;
  }
}

function applyTools(native: AnthropicRequest, request: CanonicalRequest, warn: Warn): void {
  const tools: Array<Anthropic.Tool | HostedToolParam> = request.tools.map((tool) =>
    toAnthropicTool(tool, warn),
  );
  for (const hosted of request.hostedTools) {
    const param = hostedToolParam(hosted, warn);
    if (param) tools.push(param);
  }
  if (tools.length === 0) {
    if (request.toolChoice !== undefined && request.toolChoice.type !== "none") {
      warn("tool_choice was dropped: the request has no tools");
    }
    return;
  }
  native.tools = tools;
  const choice = toAnthropicToolChoice(request.toolChoice, request.parallelToolCalls);
  if (choice) native.tool_choice = choice;
}

// Structured outputs: https://docs.anthropic.com/en/docs/build-with-claude/structured-outputs
function applyOutput(native: AnthropicRequest, output: OutputFormat | undefined, warn: Warn): void {
  if (!output || output.type === "text") return;
  if (output.type === "json_object") {
    warn("response_format json_object has no Anthropic equivalent and was not enforced");
    return;
  }
  if (!output.schema) {
    warn("response_format json_schema without a schema was dropped");
    return;
  }
  native.output_config = { ...native.output_config, format: { type: "json_schema", schema: output.schema } };
}

/** What the request asked for that Anthropic has no field for; names as the Chat API spells them. */
function reportDropped(request: CanonicalRequest, warn: Warn): void {
  if (request.choices > 1) warn("n > 1 is not supported by Anthropic; one choice was returned");
  // Deprecated in the Messages API and removed from the SDK; newer models answer 400 to either.
  if (request.temperature !== undefined) warn("temperature is deprecated by Anthropic and was not sent");
  if (request.topP !== undefined) warn("top_p is deprecated by Anthropic and was not sent");
  const unsupported: Array<[string, unknown]> = [
    ["top_k", request.topK],
    ["seed", request.seed],
    ["presence_penalty", request.presencePenalty],
    ["frequency_penalty", request.frequencyPenalty],
    ["metadata", request.metadata],
    ["prompt_cache_key", request.promptCacheKey],
  ];
  for (const [field, value] of unsupported) {
    if (value !== undefined) warn(`${field} is not supported by Anthropic and was dropped`);
  }
  for (const field of request.unmapped) warn(`${field} is not supported by Anthropic and was dropped`);
}

/**
 * A Messages client's own body for Anthropic: as it came, the model replaced, so that every field and block the
 * gateway does not know (cache_control with its ttl, context_management, server tools, betas) means what the
 * client meant. A continuation's prefill goes as a final assistant turn, trimmed as Anthropic requires.
 */
export function toForwardedRequest(
  original: OriginalRequest,
  model: string,
  prefill: string | undefined,
): Record<string, unknown> {
  const body: Record<string, unknown> = { ...original.body, model };
  const trimmed = prefill?.trimEnd();
  if (trimmed && Array.isArray(body.messages)) {
    body.messages = [...body.messages, { role: "assistant", content: [{ type: "text", text: trimmed }] }];
  }
  return body;
}

/** Fields a count_tokens request takes of a translated request (https://docs.anthropic.com/en/api/messages-count-tokens). */
const COUNTED_FIELDS = [
  "model",
  "messages",
  "system",
  "tools",
  "tool_choice",
  "thinking",
  "output_config",
] as const;

export function toCountTokensRequest(native: AnthropicRequest): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const field of COUNTED_FIELDS) if (native[field] !== undefined) body[field] = native[field];
  return body;
}
