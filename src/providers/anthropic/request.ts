// Pure: our OpenAI-shaped ChatRequest -> an Anthropic Messages request, plus warnings for what could not be sent.
// Field reference: https://docs.anthropic.com/en/api/messages
import type Anthropic from "@anthropic-ai/sdk";
import { z } from "zod";
import type { ChatMessage, ChatRequest, Tool, ToolChoice } from "../../api/chat.ts";
import { type TranslatedFields, untranslatedFields } from "../request-fields.ts";
import type { RequestInput, Translated } from "../types.ts";
import { convertMessages } from "./messages.ts";

/** The Messages request body without `stream`, which the adapter sets. */
export type AnthropicRequest = Omit<Anthropic.MessageCreateParamsNonStreaming, "stream">;

export interface AnthropicRequestInput extends RequestInput {
  /** provider.models[].max_tokens for this model, when configured. */
  configuredMaxTokens?: number | undefined;
}

/** Anthropic requires max_tokens; this is the last resort when neither the request nor the config gives one. */
export const FALLBACK_MAX_TOKENS = 4096;

/** Fields this translator reads; anything else a client sends is reported as dropped. */
const TRANSLATED_FIELDS: TranslatedFields = new Set([
  "model",
  "messages",
  "stream",
  "stream_options",
  "max_tokens",
  "max_completion_tokens",
  "stop",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "response_format",
  "user",
  "reasoning_effort",
  "thinking",
  "n",
]);

/** Extension fields some clients send for Anthropic (`thinking`) or for reasoning models (`reasoning_effort`). */
const reasoningFieldsSchema = z.looseObject({
  reasoning_effort: z.string().nullish(),
  thinking: z
    .union([
      z.looseObject({ type: z.literal("enabled"), budget_tokens: z.number().int().positive() }),
      z.looseObject({ type: z.literal("adaptive") }),
      z.looseObject({ type: z.literal("disabled") }),
    ])
    .nullish(),
});

const EFFORTS: Record<string, NonNullable<Anthropic.OutputConfig["effort"]>> = {
  minimal: "low",
  low: "low",
  medium: "medium",
  high: "high",
  xhigh: "xhigh",
  max: "max",
};

export function toAnthropicRequest(input: AnthropicRequestInput): Translated<AnthropicRequest> {
  const { request } = input;
  const warnings = new Set<string>();
  const warn = (text: string) => warnings.add(text);
  const { system, messages } = convertMessages(withPrefill(request.messages, input.prefill), warn);

  const native: AnthropicRequest = {
    model: input.model,
    max_tokens: maxTokens(input, warn),
    messages,
  };
  if (system.length > 0) native.system = system;
  const stop = typeof request.stop === "string" ? [request.stop] : request.stop;
  if (stop && stop.length > 0) native.stop_sequences = stop;
  if (request.user) native.metadata = { user_id: request.user };
  applyTools(native, request, warn);
  applyResponseFormat(native, request, warn);
  applyReasoning(native, request, warn);
  reportDropped(request, warn);
  return { native, warnings: [...warnings] };
}

/** Anthropic rejects a final assistant message ending in whitespace, so the prefill goes trimmed. */
function withPrefill(messages: ChatMessage[], prefill: string | undefined): ChatMessage[] {
  const trimmed = prefill?.trimEnd();
  if (!trimmed) return messages;
  return [...messages, { role: "assistant", content: trimmed }];
}

/** The whitespace cut off the end of a prefill; the model usually writes it again, and the stream drops it. */
export function prefillTrailingWhitespace(prefill: string | undefined): string {
  if (!prefill) return "";
  return prefill.slice(prefill.trimEnd().length);
}

function maxTokens(input: AnthropicRequestInput, warn: (text: string) => void): number {
  const asked = input.request.max_completion_tokens ?? input.request.max_tokens;
  if (asked != null) return asked;
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
function toAnthropicTool(tool: Tool): Anthropic.Tool {
  const fn = tool.function;
  const native: Anthropic.Tool = {
    name: fn.name,
    input_schema: { ...(fn.parameters ?? {}), type: "object" },
  };
  if (fn.description) native.description = fn.description;
  if (fn.strict === true) native.strict = true;
  return native;
}

function toAnthropicToolChoice(choice: ToolChoice | null | undefined, parallel: boolean | null | undefined) {
  const disableParallel = parallel === false ? { disable_parallel_tool_use: true } : {};
  if (choice === "none") return { type: "none" } satisfies Anthropic.ToolChoice;
  if (choice === "required") return { type: "any", ...disableParallel } satisfies Anthropic.ToolChoice;
  if (choice != null && typeof choice === "object") {
    return { type: "tool", name: choice.function.name, ...disableParallel } satisfies Anthropic.ToolChoice;
  }
  if (choice === "auto" || parallel === false)
    return { type: "auto", ...disableParallel } satisfies Anthropic.ToolChoice;
  return undefined;
}

function applyTools(native: AnthropicRequest, request: ChatRequest, warn: (text: string) => void): void {
  const tools = request.tools ?? [];
  if (tools.length === 0) {
    if (request.tool_choice != null && request.tool_choice !== "none") {
      warn("tool_choice was dropped: the request has no tools");
    }
    return;
  }
  native.tools = tools.map(toAnthropicTool);
  const choice = toAnthropicToolChoice(request.tool_choice, request.parallel_tool_calls);
  if (choice) native.tool_choice = choice;
}

// Structured outputs: https://docs.anthropic.com/en/docs/build-with-claude/structured-outputs
function applyResponseFormat(
  native: AnthropicRequest,
  request: ChatRequest,
  warn: (text: string) => void,
): void {
  const format = request.response_format;
  if (!format || format.type === "text") return;
  if (format.type === "json_schema" && "json_schema" in format && format.json_schema.schema) {
    native.output_config = {
      ...native.output_config,
      format: { type: "json_schema", schema: format.json_schema.schema },
    };
    return;
  }
  if (format.type === "json_schema") {
    warn("response_format json_schema without a schema was dropped");
    return;
  }
  warn(`response_format ${format.type} has no Anthropic equivalent and was not enforced`);
}

/**
 * Models that take thinking {type:"adaptive"}. The SDK names, in internal/data/models-to-warn-with-thinking-enabled
 * (MODELS_TO_WARN_WITH_THINKING_ENABLED, @anthropic-ai/sdk 1.14), the models on which {type:"enabled"} is
 * deprecated in favour of adaptive: claude-opus-4-6 and claude-mythos-preview. Anthropic's adaptive thinking
 * page (https://platform.claude.com/docs/en/build-with-claude/adaptive-thinking) lists adaptive from the 4.6
 * generation on (Sonnet 4.6, Opus 4.6, Opus 4.7, Mythos, Fable 5), some of them adaptive-only (enabled is a
 * 400 there), while Opus/Sonnet/Haiku 4.5 and older reject adaptive and need {type:"enabled", budget_tokens}.
 * So: the SDK's list, plus any Claude version from 4.6 up. A name without a readable version (an alias, a
 * proxy's own name) gets enabled + budget, which every thinking model before the adaptive-only ones accepts.
 */
const ADAPTIVE_MODELS = new Set(["claude-opus-4-6", "claude-mythos-preview"]);
/** 4.6 as major * 100 + minor, so that a 4.10 would sort after 4.6. */
const FIRST_ADAPTIVE_VERSION = 406;

/**
 * The version, as major * 100 + minor, in "claude-opus-4-6", "claude-sonnet-5", "claude-3-7-sonnet-20250219",
 * "anthropic.claude-haiku-4-5-v1"; a trailing date ("claude-sonnet-4-20250514") is not a minor version.
 */
function claudeVersion(model: string): number | undefined {
  const match = /claude-(?:[a-z]+-)?(\d{1,2})(?:-(\d{1,2}))?(?=$|[-@.:])/.exec(model);
  if (!match?.[1]) return undefined;
  return Number(match[1]) * 100 + Number(match[2] ?? "0");
}

export function acceptsAdaptiveThinking(model: string): boolean {
  if ([...ADAPTIVE_MODELS].some((name) => model.includes(name))) return true;
  const version = claudeVersion(model);
  return version !== undefined && version >= FIRST_ADAPTIVE_VERSION;
}

/**
 * reasoning_effort -> budget_tokens for models without adaptive thinking: low/medium/high as Google's OpenAI
 * layer maps them (1K/8K/24K), minimal at the documented minimum of 1024, xhigh/max above high. The budget
 * must be at least 1024 and below max_tokens (ThinkingConfigEnabled.budget_tokens), so it is capped there.
 */
const THINKING_BUDGETS: Record<string, number> = {
  minimal: 1024,
  low: 1024,
  medium: 8192,
  high: 24576,
  xhigh: 32768,
  max: 65536,
};
const MIN_THINKING_BUDGET = 1024;

// Thinking: https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking ; effort: output_config.effort
function applyReasoning(native: AnthropicRequest, request: ChatRequest, warn: (text: string) => void): void {
  const parsed = reasoningFieldsSchema.safeParse(request);
  if (!parsed.success) {
    warn("thinking was dropped: it is not a valid Anthropic thinking configuration");
    return;
  }
  const { thinking, reasoning_effort: effort } = parsed.data;
  if (thinking) native.thinking = thinking;
  if (effort == null) return;
  if (effort === "none") {
    native.thinking ??= { type: "disabled" };
    return;
  }
  const mapped = EFFORTS[effort];
  if (!mapped) {
    warn(`reasoning_effort ${effort} is not supported by Anthropic and was dropped`);
    return;
  }
  if (acceptsAdaptiveThinking(native.model)) {
    native.thinking ??= { type: "adaptive" };
    native.output_config = { ...native.output_config, effort: mapped };
    return;
  }
  applyThinkingBudget(native, effort, warn);
}

/**
 * The effort as a thinking budget. output_config.effort is not sent with it: of the models before adaptive
 * thinking only Opus 4.5 takes it, and the budget already says how much to think.
 */
function applyThinkingBudget(native: AnthropicRequest, effort: string, warn: (text: string) => void): void {
  if (native.thinking) {
    warn(`reasoning_effort ${effort} was not applied: the request's thinking configuration was sent instead`);
    return;
  }
  const wanted = THINKING_BUDGETS[effort] ?? MIN_THINKING_BUDGET;
  const budget = Math.min(wanted, native.max_tokens - 1);
  if (budget < MIN_THINKING_BUDGET) {
    warn(
      `reasoning_effort ${effort} was dropped: thinking needs max_tokens above ${MIN_THINKING_BUDGET} on ${native.model}`,
    );
    return;
  }
  if (budget < wanted) {
    warn(`reasoning_effort ${effort}: the thinking budget was lowered to ${budget} to stay below max_tokens`);
  }
  native.thinking = { type: "enabled", budget_tokens: budget };
}

function reportDropped(request: ChatRequest, warn: (text: string) => void): void {
  if (request.n != null && request.n > 1)
    warn("n > 1 is not supported by Anthropic; one choice was returned");
  for (const field of untranslatedFields(request, TRANSLATED_FIELDS)) {
    if (field === "temperature" || field === "top_p") {
      // Deprecated in the Messages API and removed from the SDK; newer models answer 400 to either.
      warn(`${field} is deprecated by Anthropic and was not sent`);
      continue;
    }
    warn(`${field} is not supported by Anthropic and was dropped`);
  }
}
