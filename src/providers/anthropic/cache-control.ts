// Canonical cache hints -> Anthropic cache_control breakpoints (system text, message blocks, tool results, tools).
import type Anthropic from "@anthropic-ai/sdk";
import type { CacheHint } from "../../canonical/content.ts";

// Prompt caching: https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching (ttl "5m" or "1h")
export function cacheControlOf(
  hint: CacheHint,
  warn: (text: string) => void,
): Anthropic.CacheControlEphemeral {
  if (hint.ttl === undefined || hint.ttl === "5m" || hint.ttl === "1h") {
    return hint.ttl === undefined ? { type: "ephemeral" } : { type: "ephemeral", ttl: hint.ttl };
  }
  warn(`a cache ttl of ${hint.ttl} is not supported by Anthropic; the default of 5m was used`);
  return { type: "ephemeral" };
}
