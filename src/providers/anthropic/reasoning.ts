// Anthropic thinking both ways: the thinking settings a request asks for, and the signed blocks a conversation sends
// back. Extended thinking: https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking
//
// Anthropic requires the thinking / redacted_thinking blocks of an assistant turn to come back unchanged, signature
// included, when a tool-using conversation continues. Answers mark their thinking blocks with REASONING_FORMAT as
// their origin (a client dialect carries it, e.g. OpenAI Chat's reasoning_details `format`), so that only blocks
// Anthropic signed are ever sent back to it.
import type Anthropic from "@anthropic-ai/sdk";
import { ANTHROPIC_ORIGIN } from "../../api/anthropic-messages/origin.ts";
import type { RedactedThinkingBlock, ThinkingBlock } from "../../canonical/content.ts";
import type { ReasoningOptions } from "../../canonical/request.ts";

/** The origin of Anthropic's thinking blocks: the one name for "signed by Anthropic" (OpenRouter's, too). */
export const REASONING_FORMAT = ANTHROPIC_ORIGIN;

type Warn = (text: string) => void;

export type ThinkingBlockParam = Anthropic.ThinkingBlockParam | Anthropic.RedactedThinkingBlockParam;

/**
 * An assistant turn's reasoning as Anthropic takes it back, or null (with a warning) when it cannot: another
 * family's reasoning (after a failover) or thinking without its signature would be rejected. A block whose origin
 * is unset is a client's that kept no format: sent, since only Anthropic's carry a signature it accepts.
 */
export function thinkingParam(
  block: ThinkingBlock | RedactedThinkingBlock,
  warn: Warn,
): ThinkingBlockParam | null {
  if (block.origin !== undefined && block.origin !== REASONING_FORMAT) {
    warn("thinking blocks not produced by Anthropic were dropped");
    return null;
  }
  if (block.type === "redacted_thinking") return { type: "redacted_thinking", data: block.data };
  if (!block.signature) {
    warn("thinking without a signature cannot be sent back to Anthropic and was dropped");
    return null;
  }
  return { type: "thinking", thinking: block.text, signature: block.signature };
}

/** The parts of a request that the reasoning settings decide. */
export interface ReasoningTarget {
  model: string;
  max_tokens: number;
  thinking?: Anthropic.ThinkingConfigParam;
  output_config?: Anthropic.OutputConfig;
}

const EFFORTS: Record<string, NonNullable<Anthropic.OutputConfig["effort"]>> = {
  minimal: "low",
  low: "low",
  medium: "medium",
  high: "high",
  xhigh: "xhigh",
  max: "max",
};

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
const ADAPTIVE_MODELS = ["claude-opus-4-6", "claude-mythos-preview"];
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
  if (ADAPTIVE_MODELS.some((name) => model.includes(name))) return true;
  const version = claudeVersion(model);
  return version !== undefined && version >= FIRST_ADAPTIVE_VERSION;
}

/**
 * Effort -> budget_tokens for models without adaptive thinking: low/medium/high as Google's OpenAI layer maps
 * them (1K/8K/24K), minimal at the documented minimum of 1024, xhigh/max above high. The budget must be at least
 * 1024 and below max_tokens (ThinkingConfigEnabled.budget_tokens), so it is capped there.
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

/** The explicit thinking setting (adaptive, disabled or a budget), as ThinkingConfigParam has it. */
function thinkingConfig(reasoning: ReasoningOptions, warn: Warn): Anthropic.ThinkingConfigParam | undefined {
  if (reasoning.disabled) return { type: "disabled" };
  if (reasoning.adaptive) return { type: "adaptive" };
  const budget = reasoning.budgetTokens;
  if (budget === undefined) return undefined;
  if (Number.isInteger(budget) && budget > 0) return { type: "enabled", budget_tokens: budget };
  warn("thinking was dropped: it is not a valid Anthropic thinking configuration");
  return undefined;
}

/**
 * Thinking and effort (output_config.effort: https://docs.anthropic.com/en/api/messages#body-output-config) from
 * the canonical reasoning settings: an explicit setting as asked; an effort as adaptive thinking at that effort
 * where the model takes it, else as a thinking budget.
 */
export function applyReasoning(
  native: ReasoningTarget,
  reasoning: ReasoningOptions | undefined,
  warn: Warn,
): void {
  if (!reasoning) return;
  const thinking = thinkingConfig(reasoning, warn);
  if (thinking) native.thinking = thinking;
  // Anthropic summarizes thinking itself (thinking.display); it has no setting for a summary's length.
  if (reasoning.summary !== undefined && reasoning.summary !== "auto") {
    warn(`reasoning summary ${reasoning.summary} is not supported by Anthropic and was dropped`);
  }
  const effort = reasoning.effort;
  if (effort === undefined) return;
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
function applyThinkingBudget(native: ReasoningTarget, effort: string, warn: Warn): void {
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
