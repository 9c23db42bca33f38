// Pure: an Anthropic Messages response -> one OpenAI chat.completion (plus the mappings the stream shares).
// Response shape: https://docs.anthropic.com/en/api/messages ; stop reasons: https://docs.anthropic.com/en/api/handling-stop-reasons
import type { ChatCompletion, FinishReason, ResponseToolCall, Usage } from "../../api/chat.ts";
import type { Clock, IdSource } from "../types.ts";
import { type ReasoningDetail, redactedDetail, thinkingDetail } from "./reasoning.ts";
import type { AnthropicMessage, AnthropicUsage } from "./wire.ts";

/** end_turn/stop_sequence -> stop, max_tokens -> length, tool_use -> tool_calls, refusal -> content_filter. */
export function finishReasonFor(stopReason: string | null | undefined): FinishReason {
  switch (stopReason) {
    case "max_tokens":
    case "model_context_window_exceeded":
      return "length";
    case "tool_use":
      return "tool_calls";
    case "refusal":
      return "content_filter";
    default:
      // end_turn, stop_sequence, pause_turn (a server tool paused the turn; the answer so far is complete).
      return "stop";
  }
}

/**
 * Anthropic's input_tokens leaves out cached tokens; OpenAI's prompt_tokens includes them, with the cache hits
 * repeated in prompt_tokens_details.cached_tokens. https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching
 */
export function toUsage(usage: AnthropicUsage): Usage {
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  const prompt = (usage.input_tokens ?? 0) + cacheRead + (usage.cache_creation_input_tokens ?? 0);
  const completion = usage.output_tokens ?? 0;
  const result: Usage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
  };
  if (usage.cache_read_input_tokens != null) result.prompt_tokens_details = { cached_tokens: cacheRead };
  const thinking = usage.output_tokens_details?.thinking_tokens;
  if (thinking != null) result.completion_tokens_details = { reasoning_tokens: thinking };
  return result;
}

/** Tool input object -> the JSON string OpenAI clients parse. */
export function argumentsText(input: unknown): string {
  return JSON.stringify(input ?? {});
}

interface Collected {
  text: string[];
  reasoning: string[];
  details: ReasoningDetail[];
  toolCalls: ResponseToolCall[];
}

function collect(message: AnthropicMessage): Collected {
  const out: Collected = { text: [], reasoning: [], details: [], toolCalls: [] };
  for (const block of message.content) {
    if (block.type === "text") out.text.push(block.text ?? "");
    else if (block.type === "thinking") {
      out.reasoning.push(block.thinking ?? "");
      out.details.push(thinkingDetail(block.thinking ?? "", block.signature ?? "", out.details.length));
    } else if (block.type === "redacted_thinking" && block.data) {
      out.details.push(redactedDetail(block.data, out.details.length));
    } else if (block.type === "tool_use" && block.id && block.name) {
      out.toolCalls.push({
        id: block.id,
        type: "function",
        function: { name: block.name, arguments: argumentsText(block.input) },
      });
    }
    // Server tool blocks (web search results...) have no OpenAI counterpart; their text arrives as text blocks.
  }
  return out;
}

export interface ResponseContext {
  clock: Clock;
  newId: IdSource;
}

export function toChatCompletion(message: AnthropicMessage, context: ResponseContext): ChatCompletion {
  const collected = collect(message);
  const assistant: ChatCompletion["choices"][number]["message"] = {
    role: "assistant",
    content: collected.text.length > 0 ? collected.text.join("") : null,
  };
  if (collected.reasoning.length > 0) assistant.reasoning_content = collected.reasoning.join("\n\n");
  if (collected.details.length > 0) assistant.reasoning_details = collected.details;
  if (collected.toolCalls.length > 0) assistant.tool_calls = collected.toolCalls;
  const completion: ChatCompletion = {
    id: context.newId("chatcmpl-"),
    object: "chat.completion",
    created: Math.floor(context.clock() / 1000),
    model: message.model,
    choices: [
      { index: 0, message: assistant, finish_reason: finishReasonFor(message.stop_reason), logprobs: null },
    ],
  };
  if (message.usage) completion.usage = toUsage(message.usage);
  return completion;
}
