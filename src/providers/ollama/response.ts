// Pure translation of an Ollama /api/chat answer (one JSON, or one NDJSON line) into our OpenAI shapes.
// Response fields: https://github.com/ollama/ollama/blob/main/docs/api.md#generate-a-chat-completion
import type { ChatCompletion, FinishReason, ResponseToolCall, Usage } from "../../api/chat.ts";
import type { IdSource } from "../types.ts";
import type { OllamaChatResponse, OllamaResponseToolCall } from "./wire.ts";

/** OpenAI wants arguments as a JSON string; Ollama sends an object. */
export function argumentsText(args: unknown): string {
  if (typeof args === "string") return args;
  return JSON.stringify(args ?? {});
}

export function toResponseToolCall(call: OllamaResponseToolCall, newId: IdSource): ResponseToolCall {
  return {
    // Ollama >= 0.12 sends "call_..." ids (see the cloud fixture); older servers send none, so one is made.
    id: call.id || newId("call_"),
    type: "function",
    function: { name: call.function.name, arguments: argumentsText(call.function.arguments) },
  };
}

/**
 * done_reason -> finish_reason. Ollama says "stop" even when the model called tools, so calls decide;
 * "length" is num_predict reached. Other reasons ("load", "unload", missing) end the answer normally.
 */
export function finishReasonFor(doneReason: string | null | undefined, calledTools: boolean): FinishReason {
  if (doneReason === "length") return "length";
  return calledTools ? "tool_calls" : "stop";
}

/** prompt_eval_count / eval_count; Ollama omits a count that is zero (e.g. a fully cached prompt). */
export function usageFrom(response: OllamaChatResponse): Usage {
  const prompt = response.prompt_eval_count ?? 0;
  const completion = response.eval_count ?? 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

export interface CompletionContext {
  id: string;
  /** Seconds since the epoch. */
  created: number;
  /** Used when the upstream does not name its model. */
  model: string;
  newId: IdSource;
}

/** One non-streamed Ollama answer -> one chat.completion. */
export function toChatCompletion(response: OllamaChatResponse, context: CompletionContext): ChatCompletion {
  const message = response.message ?? {};
  const toolCalls = (message.tool_calls ?? []).map((call) => toResponseToolCall(call, context.newId));
  const text = message.content ?? "";
  const out: ChatCompletion["choices"][number]["message"] = {
    role: "assistant",
    // OpenAI sends null content next to tool calls when there is no text.
    content: text === "" && toolCalls.length > 0 ? null : text,
  };
  if (toolCalls.length > 0) out.tool_calls = toolCalls;
  if (message.thinking) out.reasoning_content = message.thinking;
  return {
    id: context.id,
    object: "chat.completion",
    created: context.created,
    model: response.model || context.model,
    choices: [
      {
        index: 0,
        message: out,
        finish_reason: finishReasonFor(response.done_reason, toolCalls.length > 0),
        logprobs: null,
      },
    ],
    usage: usageFrom(response),
  };
}
