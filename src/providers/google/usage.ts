// Gemini usageMetadata -> canonical usage, for answers and streams alike.
// UsageMetadata: https://ai.google.dev/api/generate-content#UsageMetadata
import type { CanonicalUsage } from "../../canonical/response.ts";
import type { GeminiUsage } from "./wire.ts";

/**
 * - inputTokens: promptTokenCount counts cached tokens too; toolUsePromptTokenCount (tool-use prompts Gemini ran
 *   itself) is input the model read, so it is counted as well.
 * - outputTokens: candidatesTokenCount plus thoughtsTokenCount, since every dialect counts reasoning as output
 *   (OpenAI's completion_tokens include reasoning tokens); reasoningTokens says how many of them were thoughts.
 * - cacheReadTokens: cachedContentTokenCount, the prompt tokens served from the (implicit or explicit) cache.
 */
export function toCanonicalUsage(usage: GeminiUsage): CanonicalUsage {
  const thoughts = usage.thoughtsTokenCount;
  const out: CanonicalUsage = {
    inputTokens: (usage.promptTokenCount ?? 0) + (usage.toolUsePromptTokenCount ?? 0),
    outputTokens: (usage.candidatesTokenCount ?? 0) + (thoughts ?? 0),
  };
  if (usage.cachedContentTokenCount != null) out.cacheReadTokens = usage.cachedContentTokenCount;
  if (thoughts != null) out.reasoningTokens = thoughts;
  return out;
}

/** Whether a report holds any count (Vertex's early stream events carry only trafficType). */
export function hasCounts(usage: GeminiUsage): boolean {
  return (
    usage.promptTokenCount != null ||
    usage.candidatesTokenCount != null ||
    usage.thoughtsTokenCount != null ||
    usage.cachedContentTokenCount != null ||
    usage.toolUsePromptTokenCount != null
  );
}

/** Whether two usage reports say the same (a stream repeats its totals on every event). */
export function sameUsage(a: GeminiUsage, b: GeminiUsage): boolean {
  return (
    a.promptTokenCount === b.promptTokenCount &&
    a.candidatesTokenCount === b.candidatesTokenCount &&
    a.thoughtsTokenCount === b.thoughtsTokenCount &&
    a.cachedContentTokenCount === b.cachedContentTokenCount &&
    a.toolUsePromptTokenCount === b.toolUsePromptTokenCount
  );
}
