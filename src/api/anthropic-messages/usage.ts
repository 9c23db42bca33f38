// Usage on the Messages wire: input_tokens leaves out the tokens read from and written to the prompt cache, which
// have fields of their own. https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching#tracking-cache-performance
import type { CanonicalUsage } from "../../canonical/response.ts";
import type { MessagesUsage } from "./schema.ts";

/** Canonical inputTokens counts every input token; Anthropic's input_tokens only the uncached ones. */
export function messagesUsageOf(usage: CanonicalUsage | undefined): MessagesUsage {
  if (!usage) {
    return { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  }
  const cacheRead = usage.cacheReadTokens ?? 0;
  const cacheWrite = usage.cacheWriteTokens ?? 0;
  return {
    input_tokens: Math.max(0, usage.inputTokens - cacheRead - cacheWrite),
    output_tokens: usage.outputTokens,
    cache_creation_input_tokens: cacheWrite,
    cache_read_input_tokens: cacheRead,
  };
}
