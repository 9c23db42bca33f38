// Pure translation of an Ollama /api/chat answer (one JSON, or one NDJSON line) into the canonical answer.
// Response fields: https://github.com/ollama/ollama/blob/main/docs/api.md#generate-a-chat-completion
import type { ContentBlock, ToolCallBlock } from "../../canonical/content.ts";
import type { CanonicalResponse, CanonicalUsage, StopReason } from "../../canonical/response.ts";
import type { IdSource } from "../types.ts";
import type { OllamaChatResponse, OllamaResponseToolCall } from "./wire.ts";

/** Whose thinking a block is: Ollama's carries no signature, so any family may be sent it back as text. */
export const OLLAMA_ORIGIN = "ollama";

/** The canonical tool call holds its arguments as JSON text; Ollama sends an object. */
export function argumentsText(args: unknown): string {
  if (typeof args === "string") return args;
  return JSON.stringify(args ?? {});
}

export function toolCallBlock(call: OllamaResponseToolCall, newId: IdSource): ToolCallBlock {
  return {
    type: "tool_call",
    // Ollama >= 0.12 sends "call_..." ids (see the cloud fixture); older servers send none, so one is made.
    id: call.id || newId("call_"),
    name: call.function.name,
    arguments: argumentsText(call.function.arguments),
  };
}

/**
 * done_reason -> the canonical stop reason. Ollama says "stop" even when the model called tools, so calls decide;
 * "length" is num_predict reached. "stop" also covers a stop sequence, which Ollama does not tell apart. Other
 * reasons ("load", "unload" for a request that only loads or unloads the model, or none) end the turn normally.
 */
export function stopReasonFor(doneReason: string | null | undefined, calledTools: boolean): StopReason {
  if (doneReason === "length") return "max_tokens";
  return calledTools ? "tool_use" : "end_turn";
}

/** prompt_eval_count / eval_count; Ollama omits a count that is zero (e.g. a fully cached prompt). */
export function usageFrom(response: OllamaChatResponse): CanonicalUsage {
  return { inputTokens: response.prompt_eval_count ?? 0, outputTokens: response.eval_count ?? 0 };
}

export interface AnswerContext {
  /** Ollama's answers have no id: the adapter mints one. */
  id: string;
  /** Seconds since the epoch. */
  created: number;
  /** Used when the upstream does not name its model. */
  model: string;
  newId: IdSource;
}

/** One non-streamed Ollama answer -> one canonical answer: thinking, text, then tool calls, as Ollama orders them. */
export function toCanonicalResponse(response: OllamaChatResponse, context: AnswerContext): CanonicalResponse {
  const message = response.message;
  const content: ContentBlock[] = [];
  if (message?.thinking) content.push({ type: "thinking", text: message.thinking, origin: OLLAMA_ORIGIN });
  if (message?.content) content.push({ type: "text", text: message.content });
  const calls = message?.tool_calls ?? [];
  for (const call of calls) content.push(toolCallBlock(call, context.newId));
  return {
    id: context.id,
    model: response.model || context.model,
    created: context.created,
    content,
    stopReason: stopReasonFor(response.done_reason, calls.length > 0),
    usage: usageFrom(response),
  };
}
