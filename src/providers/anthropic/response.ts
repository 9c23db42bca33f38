// Pure: an Anthropic Messages answer -> the canonical answer (plus the mappings the stream shares: stop reason,
// usage, server tool results). Response shape: https://docs.anthropic.com/en/api/messages
import type { ContentBlock, ServerToolResultBlock } from "../../canonical/content.ts";
import type { CanonicalResponse, CanonicalUsage, StopReason } from "../../canonical/response.ts";
import type { Clock, IdSource } from "../types.ts";
import { REASONING_FORMAT } from "./reasoning.ts";
import type { AnthropicContentBlock, AnthropicMessage, AnthropicUsage } from "./wire.ts";

/**
 * Anthropic's stop_reason, which the canonical reasons were modelled on:
 * https://docs.anthropic.com/en/api/handling-stop-reasons. A reason added after this was written ended the turn.
 */
export function stopReasonOf(native: string | null | undefined): StopReason | null {
  switch (native) {
    case null:
    case undefined:
      return null;
    case "end_turn":
    case "stop_sequence":
    case "max_tokens":
    case "tool_use":
    case "refusal":
    case "pause_turn":
      return native;
    // The context window filled up before max_tokens: the answer was cut for length all the same.
    case "model_context_window_exceeded":
      return "max_tokens";
    default:
      return "end_turn";
  }
}

/**
 * Anthropic's input_tokens leaves out the tokens read from and written to the prompt cache; canonical inputTokens
 * counts every input token. https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching#tracking-cache-performance
 */
export function usageOf(usage: AnthropicUsage): CanonicalUsage {
  const cacheRead = usage.cache_read_input_tokens;
  const cacheWrite = usage.cache_creation_input_tokens;
  const out: CanonicalUsage = {
    inputTokens: (usage.input_tokens ?? 0) + (cacheRead ?? 0) + (cacheWrite ?? 0),
    outputTokens: usage.output_tokens ?? 0,
  };
  if (cacheRead != null) out.cacheReadTokens = cacheRead;
  if (cacheWrite != null) out.cacheWriteTokens = cacheWrite;
  const thinking = usage.output_tokens_details?.thinking_tokens;
  if (thinking != null) out.reasoningTokens = thinking;
  return out;
}

/** A tool input object as the JSON text of a tool call's arguments. */
export function argumentsText(input: unknown): string {
  return JSON.stringify(input ?? {});
}

/**
 * A server tool's result block (web_search_tool_result, web_fetch_tool_result, code_execution_tool_result...), in
 * the tool's own shape. mcp_tool_result answers an mcp_tool_use, which is not a server tool call here.
 * https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/web-search-tool#response
 */
export function serverToolResultOf(block: AnthropicContentBlock): ServerToolResultBlock | undefined {
  if (!block.type.endsWith("_tool_result") || block.type === "mcp_tool_result" || !block.tool_use_id) {
    return undefined;
  }
  return {
    type: "server_tool_result",
    callId: block.tool_use_id,
    resultType: block.type,
    content: block.content ?? null,
  };
}

function blockOf(block: AnthropicContentBlock): ContentBlock | undefined {
  switch (block.type) {
    case "text":
      return block.citations && block.citations.length > 0
        ? { type: "text", text: block.text ?? "", citations: block.citations }
        : { type: "text", text: block.text ?? "" };
    case "thinking":
      return block.signature
        ? {
            type: "thinking",
            text: block.thinking ?? "",
            signature: block.signature,
            origin: REASONING_FORMAT,
          }
        : { type: "thinking", text: block.thinking ?? "", origin: REASONING_FORMAT };
    case "redacted_thinking":
      return block.data
        ? { type: "redacted_thinking", data: block.data, origin: REASONING_FORMAT }
        : undefined;
    case "tool_use":
      return block.id && block.name
        ? { type: "tool_call", id: block.id, name: block.name, arguments: argumentsText(block.input) }
        : undefined;
    case "server_tool_use":
      return block.id && block.name
        ? { type: "server_tool_call", id: block.id, name: block.name, input: block.input ?? {} }
        : undefined;
    default:
      // A block type this translator does not know (mcp_tool_use, container_upload...) has no canonical form.
      return serverToolResultOf(block);
  }
}

export interface ResponseContext {
  clock: Clock;
  newId: IdSource;
}

export function toCanonicalResponse(message: AnthropicMessage, context: ResponseContext): CanonicalResponse {
  const content: ContentBlock[] = [];
  for (const block of message.content) {
    const converted = blockOf(block);
    if (converted) content.push(converted);
  }
  const response: CanonicalResponse = {
    id: message.id || context.newId("chatcmpl-"),
    model: message.model,
    created: Math.floor(context.clock() / 1000),
    content,
    stopReason: stopReasonOf(message.stop_reason),
  };
  if (response.stopReason === "stop_sequence" && message.stop_sequence) {
    response.stopSequence = message.stop_sequence;
  }
  if (message.usage) response.usage = usageOf(message.usage);
  return response;
}
