// Usage on the OpenAI Chat wire: prompt_tokens counts cached tokens too, repeated in prompt_tokens_details.
import type { CanonicalUsage } from "../../canonical/response.ts";
import type { Usage } from "../chat.ts";

export function chatUsageOf(usage: CanonicalUsage): Usage {
  const out: Usage = {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
  };
  if (usage.cacheReadTokens !== undefined)
    out.prompt_tokens_details = { cached_tokens: usage.cacheReadTokens };
  if (usage.reasoningTokens !== undefined) {
    out.completion_tokens_details = { reasoning_tokens: usage.reasoningTokens };
  }
  return out;
}

/** What canonicalUsageOf reads: a Usage is one, and so is a lenient parse of an upstream's. */
export interface ChatUsageLike {
  prompt_tokens: number;
  completion_tokens: number;
  prompt_tokens_details?: { cached_tokens?: unknown } | null | undefined;
  completion_tokens_details?: { reasoning_tokens?: unknown } | null | undefined;
}

export function canonicalUsageOf(usage: ChatUsageLike): CanonicalUsage {
  const out: CanonicalUsage = { inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens };
  const cached = usage.prompt_tokens_details?.cached_tokens;
  if (typeof cached === "number") out.cacheReadTokens = cached;
  const reasoning = usage.completion_tokens_details?.reasoning_tokens;
  if (typeof reasoning === "number") out.reasoningTokens = reasoning;
  return out;
}
