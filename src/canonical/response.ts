// The canonical answer: content blocks, the precise reason it stopped, and usage with cache and reasoning tokens.
import type { ContentBlock } from "./content.ts";

/**
 * Why the model stopped, as precisely as any dialect can say it: OpenAI's finish_reason folds several of these
 * together ("stop" is end_turn or stop_sequence), Anthropic's stop_reason and Responses' status keep them apart.
 */
export type StopReason =
  | "end_turn"
  | "stop_sequence"
  | "max_tokens"
  | "tool_use"
  | "refusal"
  | "content_filter"
  /** Anthropic: a long server-tool turn paused; the client sends it back to continue. */
  | "pause_turn";

export interface CanonicalUsage {
  /** Every input token, cached or not (OpenAI prompt_tokens; Anthropic input + cache read + cache write). */
  inputTokens: number;
  /** Every output token, reasoning included. */
  outputTokens: number;
  /** Input tokens read from the prompt cache. */
  cacheReadTokens?: number;
  /** Input tokens written to the prompt cache (Anthropic cache_creation_input_tokens). */
  cacheWriteTokens?: number;
  /** Output tokens spent on reasoning. */
  reasoningTokens?: number;
}

export interface CanonicalResponse {
  id: string;
  /** The model that answered, as the provider named it. */
  model: string;
  /** Seconds since the epoch. */
  created: number;
  content: ContentBlock[];
  /** Null only when the provider did not say (an OpenAI-compatible server that omits finish_reason). */
  stopReason: StopReason | null;
  /** The stop sequence that matched, when stopReason is stop_sequence and the provider said which. */
  stopSequence?: string;
  usage?: CanonicalUsage;
}
