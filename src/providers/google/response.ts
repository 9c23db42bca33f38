// Pure: a Gemini GenerateContentResponse -> our chat.completion (thoughts -> reasoning_content, functionCall -> tool_calls).
// https://ai.google.dev/api/generate-content#generatecontentresponse
import type { ChatCompletion, FinishReason, ResponseToolCall } from "../../api/chat.ts";
import { UpstreamError } from "../../api/errors.ts";
import type { Clock, IdSource } from "../types.ts";
import { encodeToolCallId, toolCallBaseId } from "./tool-ids.ts";
import { finishOutcome, type GeminiPart, geminiResponseSchema, toUsage } from "./wire.ts";

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
 * The SDK's parsed response (or the wire JSON) -> one chat.completion. Throws a retryable bad_response
 * UpstreamError when Gemini stopped for a failure reason without producing anything usable.
 */
export function toChatCompletion(raw: unknown, context: ResponseContext): TranslatedCompletion {
  const parsed = geminiResponseSchema.safeParse(raw);
  if (!parsed.success) {
    throw new UpstreamError(
      context.providerId,
      `Provider '${context.providerId}' sent a response that is not a Gemini answer`,
      {
        status: 502,
        type: "api_error",
        code: "bad_response",
        kind: "bad_response",
      },
    );
  }
  const response = parsed.data;
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
