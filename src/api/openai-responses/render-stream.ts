// Canonical stream frames -> Responses API stream events (typed, with sequence_number from 0): the upstream's own
// events when it spoke this dialect (a native /responses), else a rendering.
// https://platform.openai.com/docs/api-reference/responses-streaming

import type { CanonicalUsage, StopReason } from "../../canonical/response.ts";
import type { StreamEvent, StreamFrame } from "../../canonical/stream.ts";
import { namedFrame } from "../../runtime/sse-writer.ts";
import type { GatewayError } from "../errors.ts";
import type { ReasoningBlock } from "./reasoning-envelope.ts";
import {
  functionCallItem,
  type ResponsesContext,
  reasoningItem,
  responseId,
  responseShell,
  statusOf,
  usageOrNull,
} from "./response-object.ts";
import type { OutputContentPart, OutputItem, OutputMessage, ResponseObject } from "./schema.ts";

export interface ResponsesStreamRenderer {
  /** The events for one frame, each framed as its SSE event. */
  render(frame: StreamFrame): string[];
  /** After the last frame of a whole answer: response.completed (or response.incomplete). */
  end(): string[];
  /** The in-band end of an answer that failed after its first events: `error`, then response.failed. */
  failed(error: GatewayError, message: string): string;
}

/** A block being streamed, by its canonical index. */
type Open =
  | { kind: "text"; itemId: string; outputIndex: number; part: "output_text" | "refusal"; text: string }
  | { kind: "reasoning"; itemId: string; outputIndex: number; block: ReasoningBlock; summarised: boolean }
  | {
      kind: "call";
      itemId: string;
      outputIndex: number;
      call: { id: string; name: string; arguments: string };
    };

export function createResponsesStreamRenderer(context: ResponsesContext): ResponsesStreamRenderer {
  let sequence = 0;
  let response: ResponseObject | undefined;
  let id = "";
  let model = "";
  let created = 0;
  let usage: CanonicalUsage | undefined;
  let stop: StopReason | null = null;
  /** Items by output index, as each is done. */
  const output: OutputItem[] = [];
  const open = new Map<number, Open>();

  function event(type: string, payload: Record<string, unknown>): string {
    return namedFrame(type, JSON.stringify({ type, ...payload, sequence_number: sequence++ }));
  }

  /** response.created and response.in_progress, once, before anything else. */
  function begin(out: string[]): ResponseObject {
    if (response) return response;
    response = responseShell(context, responseId(id, context.newId), model, created);
    out.push(event("response.created", { response }));
    out.push(event("response.in_progress", { response }));
    return response;
  }

  function addItem(item: OutputItem, out: string[]): number {
    const outputIndex = output.length;
    output.push(item);
    out.push(event("response.output_item.added", { output_index: outputIndex, item }));
    return outputIndex;
  }

  function doneItem(outputIndex: number, item: OutputItem, out: string[]): void {
    output[outputIndex] = item;
    out.push(event("response.output_item.done", { output_index: outputIndex, item }));
  }

  function textPart(kind: "output_text" | "refusal", text: string): OutputContentPart {
    return kind === "output_text"
      ? { type: "output_text", text, annotations: [], logprobs: [] }
      : { type: "refusal", refusal: text };
  }

  function blockStart(event_: Extract<StreamEvent, { type: "block_start" }>, out: string[]): void {
    const block = event_.block;
    switch (block.type) {
      case "text":
      case "refusal": {
        const part = block.type === "text" ? "output_text" : "refusal";
        const itemId = context.newId("msg_");
        const message: OutputMessage = {
          id: itemId,
          type: "message",
          status: "in_progress",
          role: "assistant",
          content: [],
        };
        const outputIndex = addItem(message, out);
        out.push(
          event("response.content_part.added", {
            item_id: itemId,
            output_index: outputIndex,
            content_index: 0,
            part: textPart(part, ""),
          }),
        );
        open.set(event_.index, { kind: "text", itemId, outputIndex, part, text: "" });
        return;
      }
      case "thinking":
      case "redacted_thinking": {
        const itemId = context.newId("rs_");
        const reasoning: ReasoningBlock =
          block.type === "thinking"
            ? { type: "thinking", text: "", ...(block.origin ? { origin: block.origin } : {}) }
            : {
                type: "redacted_thinking",
                data: block.data,
                ...(block.origin ? { origin: block.origin } : {}),
              };
        const outputIndex = addItem({ id: itemId, type: "reasoning", summary: [] }, out);
        open.set(event_.index, {
          kind: "reasoning",
          itemId,
          outputIndex,
          block: reasoning,
          summarised: false,
        });
        return;
      }
      case "tool_call": {
        const itemId = context.newId("fc_");
        const call = { id: block.id, name: block.name, arguments: "" };
        const outputIndex = addItem(functionCallItem(itemId, call, context.toolNames, "in_progress"), out);
        open.set(event_.index, { kind: "call", itemId, outputIndex, call });
        return;
      }
      default:
        // Server tool blocks: hosted tools run only on OpenAI, whose own events are forwarded instead.
        return;
    }
  }

  function blockDelta(event_: Extract<StreamEvent, { type: "block_delta" }>, out: string[]): void {
    const state = open.get(event_.index);
    if (!state) return;
    const delta = event_.delta;
    if (state.kind === "text" && (delta.type === "text" || delta.type === "refusal") && delta.text !== "") {
      state.text += delta.text;
      const type = state.part === "output_text" ? "response.output_text.delta" : "response.refusal.delta";
      const extra = state.part === "output_text" ? { logprobs: [] } : {};
      out.push(
        event(type, {
          item_id: state.itemId,
          output_index: state.outputIndex,
          content_index: 0,
          delta: delta.text,
          ...extra,
        }),
      );
    } else if (state.kind === "reasoning" && state.block.type === "thinking") {
      if (delta.type === "thinking" && delta.text !== "") {
        if (!state.summarised) {
          state.summarised = true;
          out.push(event("response.reasoning_summary_part.added", summaryPart(state, "")));
        }
        state.block.text += delta.text;
        out.push(
          event("response.reasoning_summary_text.delta", {
            item_id: state.itemId,
            output_index: state.outputIndex,
            summary_index: 0,
            delta: delta.text,
          }),
        );
      } else if (delta.type === "signature") {
        state.block.signature = (state.block.signature ?? "") + delta.signature;
        if (delta.origin !== undefined) state.block.origin = delta.origin;
      }
    } else if (state.kind === "call" && delta.type === "arguments" && delta.json !== "") {
      state.call.arguments += delta.json;
      out.push(
        event("response.function_call_arguments.delta", {
          item_id: state.itemId,
          output_index: state.outputIndex,
          delta: delta.json,
        }),
      );
    }
  }

  function summaryPart(state: Extract<Open, { kind: "reasoning" }>, text: string): Record<string, unknown> {
    return {
      item_id: state.itemId,
      output_index: state.outputIndex,
      summary_index: 0,
      part: { type: "summary_text", text },
    };
  }

  function blockStop(index: number, out: string[]): void {
    const state = open.get(index);
    if (!state) return;
    open.delete(index);
    const at = { item_id: state.itemId, output_index: state.outputIndex };
    if (state.kind === "text") {
      const part = textPart(state.part, state.text);
      if (state.part === "output_text") {
        out.push(
          event("response.output_text.done", { ...at, content_index: 0, text: state.text, logprobs: [] }),
        );
      } else out.push(event("response.refusal.done", { ...at, content_index: 0, refusal: state.text }));
      out.push(event("response.content_part.done", { ...at, content_index: 0, part }));
      const message: OutputMessage = {
        id: state.itemId,
        type: "message",
        status: "completed",
        role: "assistant",
        content: [part],
      };
      doneItem(state.outputIndex, message, out);
    } else if (state.kind === "reasoning") {
      if (state.summarised && state.block.type === "thinking") {
        const text = state.block.text;
        out.push(event("response.reasoning_summary_text.done", { ...at, summary_index: 0, text }));
        out.push(event("response.reasoning_summary_part.done", summaryPart(state, text)));
      }
      doneItem(state.outputIndex, reasoningItem(state.itemId, [state.block]), out);
    } else {
      out.push(event("response.function_call_arguments.done", { ...at, arguments: state.call.arguments }));
      doneItem(
        state.outputIndex,
        functionCallItem(state.itemId, state.call, context.toolNames, "completed"),
        out,
      );
    }
  }

  function renderEvent(item: StreamEvent, out: string[]): void {
    switch (item.type) {
      case "start":
        if (id === "") {
          id = item.id;
          model = item.model;
          created = item.created;
        }
        begin(out);
        return;
      case "block_start":
        begin(out);
        return blockStart(item, out);
      case "block_delta":
        return blockDelta(item, out);
      case "block_stop":
        return blockStop(item.index, out);
      case "usage":
        usage = item.usage;
        return;
      case "finish":
        stop = item.stopReason;
        return;
    }
  }

  /** The upstream spoke Responses: its events go as they came, and the count continues from them. */
  let forwarding = false;

  return {
    render(item) {
      if (item.raw?.dialect === "openai-responses") {
        forwarding = true;
        for (const canonical of item.events) {
          if (canonical.type === "start" && id === "") {
            id = canonical.id;
            model = canonical.model;
            created = canonical.created;
          }
        }
        sequence += 1;
        const data = item.raw.data;
        // A multi-line data field reaches us joined with "\n"; forwarded as is it would break the client's framing.
        const text = /[\r\n]/.test(data) ? JSON.stringify(JSON.parse(data)) : data;
        return [namedFrame(item.raw.event ?? (JSON.parse(text) as { type: string }).type, text)];
      }
      const out: string[] = [];
      for (const canonical of item.events) renderEvent(canonical, out);
      return out;
    },
    end() {
      if (forwarding) return [];
      const out: string[] = [];
      const object = begin(out);
      for (const index of [...open.keys()]) blockStop(index, out);
      Object.assign(object, statusOf(stop));
      object.output = output;
      object.usage = usageOrNull(usage);
      out.push(
        event(object.status === "incomplete" ? "response.incomplete" : "response.completed", {
          response: object,
        }),
      );
      return out;
    },
    failed(error, message) {
      const code = error.code ?? error.type;
      const object: ResponseObject = {
        ...(response ?? responseShell(context, responseId(id, context.newId), model, created)),
        status: "failed",
        error: { code, message },
        output: forwarding ? [] : output,
        usage: usageOrNull(usage),
      };
      return (
        event("error", { error: { type: error.type, code, message, param: error.param } }) +
        event("response.failed", { response: object })
      );
    },
  };
}
