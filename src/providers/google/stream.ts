// Gemini stream events (one GenerateContentResponse each, as SSE data) -> canonical stream frames: a stateful
// transform, one frame per event, a cut reported when the body ends before a finishReason.
// Stream shape: https://ai.google.dev/api/generate-content#method:-models.streamgeneratecontent
import { type KeySource, streamCutError } from "../../api/errors.ts";
import { createBlockWriter } from "../../canonical/block-writer.ts";
import type { StopReason } from "../../canonical/response.ts";
import type { StreamEvent, StreamFrame } from "../../canonical/stream.ts";
import type { Logger } from "../../log/logger.ts";
import type { EventSourceMessage } from "../event-stream.ts";
import type { Clock, IdSource } from "../types.ts";
import { errorFromStreamEvent } from "./errors.ts";
import { finishOutcome } from "./finish.ts";
import { GOOGLE_ORIGIN } from "./origin.ts";
import { applyPartialArg } from "./partial-args.ts";
import { encodeToolCallId, toolCallBaseId } from "./tool-ids.ts";
import { hasCounts, sameUsage, toCanonicalUsage } from "./usage.ts";
import { type GeminiPart, type GeminiResponse, type GeminiUsage, geminiResponseSchema } from "./wire.ts";

export interface StreamContext {
  providerId: string;
  /** The model asked for, used when the first event names none. */
  model: string;
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

/** The text-like block being written: a part of another kind closes it. */

/** An in-stream error (RESOURCE_EXHAUSTED after the 200) is an event holding a google.rpc.Status. */
function isErrorEvent(payload: unknown): boolean {
  return (
    typeof payload === "object" &&
    payload !== null &&
    "error" in payload &&
    typeof payload.error === "object" &&
    payload.error !== null
  );
}

export function geminiStreamTransformer(
  context: StreamContext,
): Transformer<EventSourceMessage, StreamFrame> {
  const created = Math.floor(context.clock() / 1000);
  let started = false;
  const blocks = createBlockWriter(GOOGLE_ORIGIN);
  let partial: PartialCall | undefined;
  let finished = false;
  let calledTools = false;
  /** Answer text was sent (thought summaries alone are not an answer). */
  let sentText = false;
  let reported: GeminiUsage | undefined;

  /** The call whose arguments were streamed in pieces ends: its arguments as one delta, then its stop. */
  function closePartial(out: StreamEvent[]): void {
    if (!partial) return;
    const { index, args } = partial;
    out.push({ type: "block_delta", index, delta: { type: "arguments", json: JSON.stringify(args) } });
    out.push({ type: "block_stop", index });
    partial = undefined;
  }

  /** A thought part: thinking text, and its signature, which closes the run (Part.thoughtSignature). */
  function thoughtPart(part: GeminiPart, out: StreamEvent[]): void {
    const text = part.text ?? "";
    const signature = part.thoughtSignature;
    if (text === "" && !signature) return;
    const index = blocks.write("thinking", out);
    if (text !== "") out.push({ type: "block_delta", index, delta: { type: "thinking", text } });
    if (signature) {
      out.push({ type: "block_delta", index, delta: { type: "signature", signature } });
      blocks.close(out);
    }
  }

  /**
   * A functionCall part. A whole call (the Gemini API's only form) is a block start with its id and name, one
   * arguments delta and a stop; a call streamed in pieces (willContinue, then partialArgs, then an empty
   * functionCall) starts the same way and gets its arguments delta when it ends.
   */
  function functionCallPart(part: GeminiPart, out: StreamEvent[]): void {
    const call = part.functionCall;
    if (!call) return;
    if (call.name) {
      closePartial(out);
      const index = blocks.next(out);
      calledTools = true;
      const signature = part.thoughtSignature ?? undefined;
      const id = encodeToolCallId(
        toolCallBaseId(call.id, () => context.newId("call_")),
        signature,
      );
      out.push({
        type: "block_start",
        index,
        block: signature
          ? { type: "tool_call", id, name: call.name, signature }
          : { type: "tool_call", id, name: call.name },
      });
      if (call.willContinue) partial = { index, args: {} };
      else {
        const json = JSON.stringify(call.args ?? {});
        out.push({ type: "block_delta", index, delta: { type: "arguments", json } });
        out.push({ type: "block_stop", index });
      }
    }
    if (call.partialArgs && call.partialArgs.length > 0) {
      if (!partial)
        context.logger.warn("gemini stream: argument piece without an open function call, skipped");
      else for (const arg of call.partialArgs) applyPartialArg(partial.args, arg);
    } else if (!call.name) {
      // An empty functionCall {} ends the call whose arguments were streamed.
      closePartial(out);
    }
  }

  /** The stop reason for a candidate's finishReason; an Error when Gemini stopped without an answer. */
  function finishFor(reason: string, message: string | null | undefined): StopReason | Error {
    const outcome = finishOutcome(context.providerId, reason, message, { calledTools, hasText: sentText });
    if (outcome.kind === "no_answer") return outcome.error;
    // The response headers (and their x-aisbf-warnings) are gone by now; the log is where this can go.
    if (outcome.warning)
      context.logger.warn(`gemini stream: ${outcome.warning}`, { provider: context.providerId });
    return outcome.reason;
  }

  function reportUsage(usage: GeminiUsage | null | undefined, out: StreamEvent[]): void {
    if (!usage || !hasCounts(usage) || (reported && sameUsage(reported, usage))) return;
    reported = usage;
    out.push({ type: "usage", usage: toCanonicalUsage(usage) });
  }

  /** The event's canonical events into `out`; returns an error when the event ends the stream without an answer. */
  function handleEvent(event: GeminiResponse, out: StreamEvent[]): Error | undefined {
    if (!started) {
      started = true;
      // responseId is the upstream's own id for the answer; a dialect renders it in its own id shape.
      const id = event.responseId || context.newId("chatcmpl-");
      out.push({ type: "start", id, model: event.modelVersion || context.model, created });
    }
    if (finished) {
      reportUsage(event.usageMetadata, out);
      return undefined;
    }
    const candidate = event.candidates?.[0];
    for (const part of candidate?.content?.parts ?? []) {
      if (part.functionCall) functionCallPart(part, out);
      else if (part.thought) thoughtPart(part, out);
      else if (typeof part.text === "string" && part.text !== "") {
        // A signature on an answer text part is not kept (see response.ts).
        sentText = true;
        out.push({
          type: "block_delta",
          index: blocks.write("text", out),
          delta: { type: "text", text: part.text },
        });
      }
    }
    reportUsage(event.usageMetadata, out);
    let stop: StopReason | Error | undefined;
    if (candidate?.finishReason) stop = finishFor(candidate.finishReason, candidate.finishMessage);
    else if (!candidate && event.promptFeedback?.blockReason) stop = "content_filter";
    if (stop === undefined) return undefined;
    finished = true;
    if (stop instanceof Error) return stop;
    blocks.close(out);
    closePartial(out);
    out.push({ type: "finish", stopReason: stop });
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
      if (isErrorEvent(payload)) {
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
      const events: StreamEvent[] = [];
      const failed = handleEvent(parsed.data, events);
      if (events.length > 0) controller.enqueue({ events });
      if (failed) controller.error(failed);
    },
    flush(controller) {
      // Only a finishReason (or a blocked prompt) says the answer is complete; anything else is a cut.
      if (!finished) controller.error(streamCutError(context.providerId));
    },
  };
}
