// Usage on the Responses wire: input_tokens counts cached tokens too; output_tokens counts reasoning tokens too.
// https://platform.openai.com/docs/api-reference/responses/object#responses/object-usage
import type { CanonicalUsage } from "../../canonical/response.ts";
import type { ResponsesUsage } from "./schema.ts";

export function responsesUsageOf(usage: CanonicalUsage): ResponsesUsage {
  return {
    input_tokens: usage.inputTokens,
    input_tokens_details: { cached_tokens: usage.cacheReadTokens ?? 0 },
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens ?? 0 },
    total_tokens: usage.inputTokens + usage.outputTokens,
  };
}

/** What canonicalUsageOf reads of an upstream's usage (a lenient parse of OpenAI's Responses answer). */
export interface ResponsesUsageLike {
  input_tokens: number;
  output_tokens: number;
  input_tokens_details?: { cached_tokens?: number | null | undefined } | null | undefined;
  output_tokens_details?: { reasoning_tokens?: number | null | undefined } | null | undefined;
}

export function canonicalUsageOf(usage: ResponsesUsageLike): CanonicalUsage {
  const out: CanonicalUsage = { inputTokens: usage.input_tokens, outputTokens: usage.output_tokens };
  const cached = usage.input_tokens_details?.cached_tokens;
  if (typeof cached === "number") out.cacheReadTokens = cached;
  const reasoning = usage.output_tokens_details?.reasoning_tokens;
  if (typeof reasoning === "number") out.reasoningTokens = reasoning;
  return out;
}
