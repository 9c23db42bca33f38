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

export function canonicalUsageOf(usage: Usage): CanonicalUsage {
  const out: CanonicalUsage = { inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens };
  const cached = usage.prompt_tokens_details?.cached_tokens;
  if (typeof cached === "number") out.cacheReadTokens = cached;
  const reasoning = usage.completion_tokens_details?.reasoning_tokens;
  if (typeof reasoning === "number") out.reasoningTokens = reasoning;
  return out;
}
