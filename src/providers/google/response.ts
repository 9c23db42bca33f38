// Pure: a Gemini GenerateContentResponse -> the canonical answer: thought, text and function call parts as blocks
// in their order, the precise stop reason, usage with cached and thought tokens.
// https://ai.google.dev/api/generate-content#generatecontentresponse
import type { ContentBlock, ThinkingBlock } from "../../canonical/content.ts";
import type { CanonicalResponse, StopReason } from "../../canonical/response.ts";
import type { Clock, IdSource } from "../types.ts";
import { finishOutcome } from "./finish.ts";
import { GOOGLE_ORIGIN } from "./origin.ts";
import { encodeToolCallId, toolCallBaseId } from "./tool-ids.ts";
import { hasCounts, toCanonicalUsage } from "./usage.ts";
import type { GeminiPart, GeminiResponse } from "./wire.ts";

export interface ResponseContext {
  providerId: string;
  /** The model asked for, used when the response names none. */
  model: string;
  clock: Clock;
  newId: IdSource;
}

export interface TranslatedAnswer {
  response: CanonicalResponse;
  /** What the client should know about the answer (a truncation, a failure reason with partial content). */
  warnings: string[];
}

/** Appends a part's thought text (and signature) to the thinking block it continues, or starts one. */
function addThought(blocks: ContentBlock[], part: GeminiPart): void {
  const last = blocks[blocks.length - 1];
  // A signature closes its run of thought parts (Part.thoughtSignature): a later thought starts a block of its own.
  let block: ThinkingBlock;
  if (last?.type === "thinking" && last.signature === undefined) block = last;
  else {
    block = { type: "thinking", text: "", origin: GOOGLE_ORIGIN };
    blocks.push(block);
  }
  block.text += part.text ?? "";
  if (part.thoughtSignature) block.signature = part.thoughtSignature;
}

/**
 * Parts -> blocks, in order; consecutive text (or thought) parts are one block. A thoughtSignature on an answer text
 * part is not kept: Gemini validates signatures only on function-call turns ("recommended" elsewhere,
 * https://ai.google.dev/gemini-api/docs/thought-signatures) and no canonical text block has a place for one.
 */
function contentOf(parts: GeminiPart[], newId: IdSource): ContentBlock[] {
  const blocks: ContentBlock[] = [];
  for (const part of parts) {
    const call = part.functionCall;
    if (call?.name) {
      // FunctionCall: https://ai.google.dev/api/caching#FunctionCall ; the signature rides in the id too (tool-ids.ts).
      const signature = part.thoughtSignature ?? undefined;
      const id = encodeToolCallId(
        toolCallBaseId(call.id, () => newId("call_")),
        signature,
      );
      const block: ContentBlock = {
        type: "tool_call",
        id,
        name: call.name,
        arguments: JSON.stringify(call.args ?? {}),
      };
      if (signature) block.signature = signature;
      blocks.push(block);
    } else if (part.thought) {
      if (part.text || part.thoughtSignature) addThought(blocks, part);
    } else if (typeof part.text === "string" && part.text !== "") {
      const last = blocks[blocks.length - 1];
      if (last?.type === "text") last.text += part.text;
      else blocks.push({ type: "text", text: part.text });
    }
  }
  return blocks;
}

function hasAnswer(content: ContentBlock[]): { calledTools: boolean; hasText: boolean } {
  let calledTools = false;
  let hasText = false;
  for (const block of content) {
    if (block.type === "tool_call") calledTools = true;
    else if (block.type === "text") hasText = true;
  }
  return { calledTools, hasText };
}

/**
 * One answer -> the canonical answer. Throws a retryable bad_response UpstreamError when Gemini stopped for a
 * failure reason without producing anything usable.
 */
export function toCanonicalResponse(answer: GeminiResponse, context: ResponseContext): TranslatedAnswer {
  const candidate = answer.candidates?.[0];
  const content = contentOf(candidate?.content?.parts ?? [], context.newId);
  const warnings: string[] = [];
  let stopReason: StopReason;
  if (!candidate && answer.promptFeedback?.blockReason) {
    // A blocked prompt has no candidates, only promptFeedback.blockReason.
    stopReason = "content_filter";
  } else {
    // A whole (non-streamed) body is a complete answer even when it names no reason.
    const outcome = finishOutcome(
      context.providerId,
      candidate?.finishReason ?? "STOP",
      candidate?.finishMessage,
      hasAnswer(content),
    );
    if (outcome.kind === "no_answer") throw outcome.error;
    stopReason = outcome.reason;
    if (outcome.warning) warnings.push(outcome.warning);
  }
  const response: CanonicalResponse = {
    // responseId is the upstream's own id for the answer; a dialect renders it in its own id shape.
    id: answer.responseId || context.newId("chatcmpl-"),
    model: answer.modelVersion || context.model,
    created: Math.floor(context.clock() / 1000),
    content,
    stopReason,
  };
  if (answer.usageMetadata && hasCounts(answer.usageMetadata)) {
    response.usage = toCanonicalUsage(answer.usageMetadata);
  }
  return { response, warnings };
}
