// Pure: a Gemini GenerateContentResponse -> our chat.completion (thoughts -> reasoning_content, functionCall ->
// tool_calls), and the mappings the stream shares (finish reasons, usage).
// https://ai.google.dev/api/generate-content#generatecontentresponse
import type { ChatCompletion, FinishReason, ResponseToolCall, Usage } from "../../api/chat.ts";
import { UpstreamError } from "../../api/errors.ts";
import { redactText } from "../../log/logger.ts";
import type { Clock, IdSource } from "../types.ts";
import { encodeToolCallId, toolCallBaseId } from "./tool-ids.ts";
import type { GeminiPart, GeminiResponse, GeminiUsage } from "./wire.ts";

/** Finish reasons that mean the answer was withheld by a filter (FinishReason enum in the API reference). */
const FILTERED = new Set([
  "SAFETY",
  "RECITATION",
  "PROHIBITED_CONTENT",
  "BLOCKLIST",
  "SPII",
  "IMAGE_SAFETY",
  "IMAGE_PROHIBITED_CONTENT",
  "IMAGE_RECITATION",
]);

/** What the candidate produced that a client can use (thought summaries alone are not an answer). */
export interface ProducedContent {
  calledTools: boolean;
  hasText: boolean;
}

export type FinishOutcome =
  | { kind: "finish"; reason: FinishReason; warning?: string }
  | { kind: "no_answer"; error: UpstreamError };

/** Reasons whose empty answer has a specific error code; any other failed reason is "no_content". */
const NO_ANSWER_CODES: Record<string, string> = {
  MALFORMED_FUNCTION_CALL: "malformed_function_call",
  UNEXPECTED_TOOL_CALL: "unexpected_tool_call",
};

function describe(reason: string, message: string | null | undefined): string {
  return message ? `${reason} (${message})` : reason;
}

/**
 * A candidate's finishReason -> our finish_reason, or an error when Gemini stopped without an answer.
 * FinishReason enum: https://ai.google.dev/api/generate-content#FinishReason
 * - STOP: complete. Gemini says STOP after function calls too; OpenAI clients look for "tool_calls".
 * - MAX_TOKENS: "length". CONTINUATION (the per-request limit was reached, generation not complete; we
 *   never continue automatically) is "length" too, with a warning: it must not look like a whole answer.
 * - the filters: "content_filter".
 * - anything else (MALFORMED_FUNCTION_CALL, UNEXPECTED_TOOL_CALL, OTHER, FINISH_REASON_UNSPECIFIED, NO_IMAGE,
 *   IMAGE_OTHER, LANGUAGE, reasons added later): the model failed. With nothing usable produced it is a
 *   retryable bad_response (another attempt or target may well answer); with content it is kept as complete,
 *   with a warning naming the reason.
 */
export function finishOutcome(
  providerId: string,
  reason: string,
  message: string | null | undefined,
  produced: ProducedContent,
): FinishOutcome {
  const complete: FinishReason = produced.calledTools ? "tool_calls" : "stop";
  if (reason === "STOP") return { kind: "finish", reason: complete };
  if (reason === "MAX_TOKENS") return { kind: "finish", reason: "length" };
  if (reason === "CONTINUATION") {
    return {
      kind: "finish",
      reason: "length",
      warning:
        "Gemini stopped at its per-request output limit before the answer was complete (finishReason CONTINUATION); reported as finish_reason 'length'.",
    };
  }
  if (FILTERED.has(reason)) return { kind: "finish", reason: "content_filter" };
  const what = describe(reason, message);
  if (produced.calledTools || produced.hasText) {
    return {
      kind: "finish",
      reason: complete,
      warning: `Gemini ended the answer with finishReason ${what}; the content it produced is returned as complete.`,
    };
  }
  const error = new UpstreamError(
    providerId,
    redactText(`Provider '${providerId}' ended the answer without usable content: finishReason ${what}`),
    {
      status: 502,
      type: "api_error",
      code: NO_ANSWER_CODES[reason] ?? "no_content",
      kind: "bad_response",
    },
  );
  return { kind: "no_answer", error };
}

/**
 * usageMetadata -> OpenAI usage. OpenAI's completion_tokens include reasoning tokens, so thoughts are added
 * to candidates; tool-use prompt tokens are prompt tokens.
 */
export function toUsage(usage: GeminiUsage | null | undefined): Usage {
  const prompt = (usage?.promptTokenCount ?? 0) + (usage?.toolUsePromptTokenCount ?? 0);
  const thoughts = usage?.thoughtsTokenCount;
  const completion = (usage?.candidatesTokenCount ?? 0) + (thoughts ?? 0);
  const result: Usage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
  };
  if (usage?.cachedContentTokenCount != null) {
    result.prompt_tokens_details = { cached_tokens: usage.cachedContentTokenCount };
  }
  if (thoughts != null) result.completion_tokens_details = { reasoning_tokens: thoughts };
  return result;
}

export interface ResponseContext {
  providerId: string;
  /** The model asked for, used when the response names none. */
  model: string;
  clock: Clock;
  newId: IdSource;
}

interface Message {
  content: string | null;
  reasoning: string | null;
  toolCalls: ResponseToolCall[];
}

function collectParts(parts: GeminiPart[], newId: IdSource): Message {
  let content: string | null = null;
  let reasoning: string | null = null;
  const toolCalls: ResponseToolCall[] = [];
  for (const part of parts) {
    const call = part.functionCall;
    if (call?.name) {
      toolCalls.push({
        id: encodeToolCallId(
          toolCallBaseId(call.id, () => newId("call_")),
          part.thoughtSignature,
        ),
        type: "function",
        function: { name: call.name, arguments: JSON.stringify(call.args ?? {}) },
      });
    } else if (typeof part.text === "string" && part.text !== "") {
      if (part.thought) reasoning = (reasoning ?? "") + part.text;
      else content = (content ?? "") + part.text;
    }
    // A thoughtSignature on a text part is optional to send back (Gemini validates only function-call
    // turns) and OpenAI messages have no place for it, so it is not kept.
  }
  return { content, reasoning, toolCalls };
}

export interface TranslatedCompletion {
  completion: ChatCompletion;
  /** What the client should know about the answer (a truncation, a failure reason with partial content). */
  warnings: string[];
}

/**
 * One answer -> one chat.completion. Throws a retryable bad_response UpstreamError when Gemini stopped for a
 * failure reason without producing anything usable.
 */
export function toChatCompletion(response: GeminiResponse, context: ResponseContext): TranslatedCompletion {
  const candidate = response.candidates?.[0];
  const message = collectParts(candidate?.content?.parts ?? [], context.newId);
  const warnings: string[] = [];
  let finish: FinishReason;
  if (!candidate && response.promptFeedback?.blockReason) {
    // A blocked prompt has no candidates, only promptFeedback.blockReason.
    finish = "content_filter";
  } else {
    // A whole (non-streamed) body is a complete answer even when it names no reason.
    const outcome = finishOutcome(
      context.providerId,
      candidate?.finishReason ?? "STOP",
      candidate?.finishMessage,
      { calledTools: message.toolCalls.length > 0, hasText: message.content !== null },
    );
    if (outcome.kind === "no_answer") throw outcome.error;
    finish = outcome.reason;
    if (outcome.warning) warnings.push(outcome.warning);
  }
  const completionMessage: ChatCompletion["choices"][number]["message"] = {
    role: "assistant",
    content: message.content,
  };
  if (message.reasoning !== null) completionMessage.reasoning_content = message.reasoning;
  if (message.toolCalls.length > 0) completionMessage.tool_calls = message.toolCalls;
  const completion: ChatCompletion = {
    id: response.responseId ? `chatcmpl-${response.responseId}` : context.newId("chatcmpl-"),
    object: "chat.completion",
    created: Math.floor(context.clock() / 1000),
    model: response.modelVersion ?? context.model,
    choices: [{ index: 0, message: completionMessage, finish_reason: finish }],
    usage: toUsage(response.usageMetadata),
  };
  return { completion, warnings };
}
