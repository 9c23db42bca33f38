// Gemini stream events (one GenerateContentResponse each, as SSE data) -> our chat.completion.chunks: a stateful
// transform, usage or a cut reported when the body ends.
// Stream shape: https://ai.google.dev/api/generate-content#method:-models.streamgeneratecontent
import type { ChatCompletionChunk, ChunkDelta, FinishReason } from "../../api/chat.ts";
import { streamCutError, type KeySource } from "../../api/errors.ts";
import type { Logger } from "../../log/logger.ts";
import type { EventSourceMessage } from "../event-stream.ts";
import type { Clock, IdSource, StreamChunk } from "../types.ts";
import { errorFromStreamEvent } from "./errors.ts";
import { finishOutcome, toUsage } from "./response.ts";
import { encodeToolCallId, toolCallBaseId } from "./tool-ids.ts";
import {
  type GeminiPart,
  type GeminiResponse,
  type GeminiUsage,
  geminiResponseSchema,
  type PartialArg,
} from "./wire.ts";

export interface StreamContext {
  providerId: string;
  /** The model asked for, used until an event names one. */
  model: string;
  /** stream_options.include_usage: one more chunk with choices [] and usage after the finish. */
  includeUsage: boolean;
  keySource: KeySource;
  clock: Clock;
  newId: IdSource;
  logger: Logger;
}

/** A tool call whose arguments arrive as partialArgs pieces (Vertex streamFunctionCallArguments). */
interface PartialCall {
  index: number;
  args: Record<string, unknown>;
}

function pathKeys(jsonPath: string): Array<string | number> {
  const keys: Array<string | number> = [];
  for (const match of jsonPath.replace(/^\$/, "").matchAll(/\.([^.[\]]+)|\[(\d+)\]|\['([^']*)'\]/g)) {
    if (match[1] !== undefined) keys.push(match[1]);
    else if (match[2] !== undefined) keys.push(Number(match[2]));
    else if (match[3] !== undefined) keys.push(match[3]);
  }
  return keys;
}

function argValue(arg: PartialArg): { value: unknown } | undefined {
  if (arg.stringValue != null) return { value: arg.stringValue };
  if (arg.numberValue != null) return { value: arg.numberValue };
  if (arg.boolValue != null) return { value: arg.boolValue };
  if (arg.nullValue !== undefined) return { value: null };
  return undefined;
}

/** Sets one partialArgs piece into the arguments object; string pieces for the same path are concatenated. */
function applyPartialArg(args: Record<string, unknown>, arg: PartialArg): void {
  const keys = pathKeys(arg.jsonPath ?? "");
  const found = argValue(arg);
  const last = keys[keys.length - 1];
  if (!found || last === undefined) return;
  let node: object = args;
  for (const [position, key] of keys.slice(0, -1).entries()) {
    const current: unknown = Reflect.get(node, key);
    const next: object =
      typeof current === "object" && current !== null
        ? current
        : typeof keys[position + 1] === "number"
          ? []
          : {};
    if (next !== current) Reflect.set(node, key, next);
    node = next;
  }
  const existing: unknown = Reflect.get(node, last);
  Reflect.set(
    node,
    last,
    typeof existing === "string" && typeof found.value === "string" ? existing + found.value : found.value,
  );
}

export function geminiStreamTransformer(
  context: StreamContext,
): Transformer<EventSourceMessage, StreamChunk> {
  const created = Math.floor(context.clock() / 1000);
  let id: string | undefined;
  let model = context.model;
  let sentRole = false;
  let nextToolIndex = 0;
  let partial: PartialCall | undefined;
  let finished = false;
  /** Answer text was sent (thought summaries alone are not an answer). */
  let sentText = false;
  let usage: GeminiUsage | null | undefined;

  function chunk(delta: ChunkDelta, finish: FinishReason | null): StreamChunk {
    const withRole: ChunkDelta = sentRole ? delta : { role: "assistant", ...delta };
    sentRole = true;
    const out: ChatCompletionChunk = {
      id: id ?? context.newId("chatcmpl-"),
      object: "chat.completion.chunk",
      created,
      model,
      choices: [{ index: 0, delta: withRole, finish_reason: finish }],
    };
    return { chunk: out };
  }

  function closePartial(emit: (item: StreamChunk) => void): void {
    if (!partial) return;
    emit(
      chunk(
        { tool_calls: [{ index: partial.index, function: { arguments: JSON.stringify(partial.args) } }] },
        null,
      ),
    );
    partial = undefined;
  }

  function functionCallPart(part: GeminiPart, emit: (item: StreamChunk) => void): void {
    const call = part.functionCall;
    if (!call) return;
    if (call.name) {
      closePartial(emit);
      const index = nextToolIndex++;
      const toolId = encodeToolCallId(
        toolCallBaseId(call.id, () => context.newId("call_")),
        part.thoughtSignature,
      );
      // OpenAI's own pattern: id and name first with empty arguments, then the arguments.
      emit(
        chunk(
          {
            tool_calls: [
              { index, id: toolId, type: "function", function: { name: call.name, arguments: "" } },
            ],
          },
          null,
        ),
      );
      if (call.willContinue) partial = { index, args: {} };
      else
        emit(
          chunk({ tool_calls: [{ index, function: { arguments: JSON.stringify(call.args ?? {}) } }] }, null),
        );
    }
    if (call.partialArgs && call.partialArgs.length > 0) {
      if (!partial)
        context.logger.warn("gemini stream: argument piece without an open function call, skipped");
      else for (const arg of call.partialArgs) applyPartialArg(partial.args, arg);
    } else if (!call.name) {
      // An empty functionCall {} ends the call whose arguments were streamed.
      closePartial(emit);
    }
  }

  /** The finish for a candidate's finishReason; an Error when Gemini stopped without an answer. */
  function finishFor(reason: string, message: string | null | undefined): FinishReason | Error {
    const outcome = finishOutcome(context.providerId, reason, message, {
      calledTools: nextToolIndex > 0,
      hasText: sentText,
    });
    if (outcome.kind === "no_answer") return outcome.error;
    // The response headers (and their x-aisbf-warnings) are gone by now; the log is where this can go.
    if (outcome.warning)
      context.logger.warn(`gemini stream: ${outcome.warning}`, { provider: context.providerId });
    return outcome.reason;
  }

  /** Emits the event's chunks; returns an error when the event ends the stream without an answer. */
  function handleEvent(event: GeminiResponse, emit: (item: StreamChunk) => void): Error | undefined {
    if (id === undefined) id = event.responseId ? `chatcmpl-${event.responseId}` : context.newId("chatcmpl-");
    if (event.modelVersion) model = event.modelVersion;
    if (event.usageMetadata) usage = event.usageMetadata;
    if (finished) return undefined;
    const candidate = event.candidates?.[0];
    for (const part of candidate?.content?.parts ?? []) {
      if (part.functionCall) functionCallPart(part, emit);
      else if (typeof part.text === "string" && part.text !== "") {
        if (!part.thought) sentText = true;
        emit(chunk(part.thought ? { reasoning_content: part.text } : { content: part.text }, null));
      }
    }
    let finish: FinishReason | Error | undefined;
    if (candidate?.finishReason) finish = finishFor(candidate.finishReason, candidate.finishMessage);
    else if (!candidate && event.promptFeedback?.blockReason) finish = "content_filter";
    if (finish === undefined) return undefined;
    finished = true;
    if (finish instanceof Error) return finish;
    closePartial(emit);
    emit(chunk({}, finish));
    return undefined;
  }

  return {
    transform(message, controller) {
      let payload: unknown;
      try {
        payload = JSON.parse(message.data);
      } catch {
        context.logger.warn("gemini stream: skipped an event that is not JSON", {
          provider: context.providerId,
        });
        return;
      }
      // An error after the 200 (RESOURCE_EXHAUSTED mid-stream) comes as an event holding a google.rpc.Status.
      const error = (payload as { error?: unknown } | null)?.error;
      if (error !== null && typeof error === "object") {
        controller.error(errorFromStreamEvent(context.providerId, payload, context.keySource));
        return;
      }
      const parsed = geminiResponseSchema.safeParse(payload);
      if (!parsed.success) {
        context.logger.warn("gemini stream: skipped an event that is not a GenerateContentResponse", {
          provider: context.providerId,
        });
        return;
      }
      const failed = handleEvent(parsed.data, (item) => controller.enqueue(item));
      if (failed) controller.error(failed);
    },
    flush(controller) {
      // Only a finishReason (or a blocked prompt) says the answer is complete; anything else is a cut.
      if (!finished) {
        controller.error(streamCutError(context.providerId));
        return;
      }
      if (!context.includeUsage) return;
      controller.enqueue({
        chunk: {
          id: id ?? context.newId("chatcmpl-"),
          object: "chat.completion.chunk",
          created,
          model,
          choices: [],
          usage: toUsage(usage),
        },
      });
    },
  };
}
