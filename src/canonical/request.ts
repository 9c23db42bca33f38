// The canonical request: what a client asked for, whatever dialect it spoke, in the terms every provider maps from.
import type { CacheHint, Message, TextBlock } from "./content.ts";

/** A function the client runs itself. `parameters` is a JSON Schema object. */
export interface FunctionTool {
  name: string;
  description?: string;
  parameters?: Record<string, unknown>;
  strict?: boolean;
  cache?: CacheHint;
}

/**
 * A tool the provider runs (web search, code execution). `kind` is the canonical name ("web_search"); `config` is
 * the dialect's own settings for it, which a provider of the same family reads and any other reports dropped.
 */
export interface HostedTool {
  kind: string;
  name: string;
  config: Record<string, unknown>;
}

export type ToolChoice =
  | { type: "auto" }
  | { type: "none" }
  /** At least one tool call (OpenAI "required", Anthropic "any"). */
  | { type: "required" }
  | { type: "tool"; name: string };

export type OutputFormat =
  | { type: "text" }
  | { type: "json_object" }
  | {
      type: "json_schema";
      name: string;
      schema?: Record<string, unknown>;
      strict?: boolean;
      description?: string;
    };

/** How much the model should reason, in whichever of the dialects' terms the client used. */
export interface ReasoningOptions {
  /** "none", "minimal", "low", "medium", "high", "xhigh", "max". */
  effort?: string;
  /** An explicit thinking budget in tokens (Anthropic thinking.budget_tokens, Gemini thinkingBudget). */
  budgetTokens?: number;
  /** Anthropic's adaptive thinking: the model decides how much. */
  adaptive?: boolean;
  /** Reasoning switched off explicitly. */
  disabled?: boolean;
  /** Responses' reasoning.summary ("auto", "concise", "detailed"). */
  summary?: string;
  /** The client wants encrypted reasoning back to send in its next turn (Responses include). */
  includeEncrypted?: boolean;
}

export interface CanonicalRequest {
  /** System instructions, in order (OpenAI system/developer messages, Anthropic system, Responses instructions). */
  system: TextBlock[];
  messages: Message[];
  tools: FunctionTool[];
  hostedTools: HostedTool[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stop: string[];
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  output?: OutputFormat;
  reasoning?: ReasoningOptions;
  stream: boolean;
  /** A usage report at the end of a stream (OpenAI stream_options.include_usage; always on in other dialects). */
  includeUsage: boolean;
  /** Answers wanted (OpenAI n); providers other than OpenAI give one, with a warning. */
  choices: number;
  /** An end-user id for the provider's abuse tracking. */
  user?: string;
  metadata?: Record<string, string>;
  /** OpenAI prompt_cache_key: routes requests sharing a prefix to the same cache. */
  promptCacheKey?: string;
  /**
   * Fields the client sent that have no canonical meaning, by the name it used. A provider of the client's own
   * wire gets the client's body as sent; any other reports each of these as dropped.
   */
  unmapped: string[];
  /**
   * What the dialect's translation could not carry, already phrased ("a content part of type x was dropped"):
   * reported as warnings by a provider that translates, never by one that forwards the client's body.
   */
  notes: string[];
}

/** A request with nothing in it but its messages: the base every dialect's translator fills in. */
export function emptyRequest(messages: Message[] = []): CanonicalRequest {
  return {
    system: [],
    messages,
    tools: [],
    hostedTools: [],
    stop: [],
    stream: false,
    includeUsage: false,
    choices: 1,
    unmapped: [],
    notes: [],
  };
}
