// The canonical stream: block-indexed events (start, block start/delta/stop, usage, finish) in frames, each frame
// one unit of the upstream's stream, with the upstream's own bytes when a client of the same dialect can take them.

import type { ContentBlock } from "./content.ts";
import type { Dialect } from "./dialect.ts";
import type { CanonicalResponse, CanonicalUsage, StopReason } from "./response.ts";

/** What a block is, known when it starts; its content follows in deltas. */
export type BlockStart =
  | { type: "text" }
  | { type: "thinking"; origin?: string }
  | { type: "redacted_thinking"; data: string; origin?: string }
  | { type: "tool_call"; id: string; name: string; signature?: string }
  | { type: "server_tool_call"; id: string; name: string }
  | { type: "server_tool_result"; callId: string; resultType: string; content: unknown }
  | { type: "refusal" };

export type BlockDelta =
  | { type: "text"; text: string }
  | { type: "thinking"; text: string }
  /** A thinking block's signature; `origin` names whose, when the block's start did not. */
  | { type: "signature"; signature: string; origin?: string }
  /** A piece of a tool call's (or server tool call's) JSON arguments. */
  | { type: "arguments"; json: string }
  | { type: "refusal"; text: string }
  | { type: "citation"; citation: unknown };

export type StreamEvent =
  | { type: "start"; id: string; model: string; created: number }
  | { type: "block_start"; index: number; block: BlockStart }
  | { type: "block_delta"; index: number; delta: BlockDelta }
  | { type: "block_stop"; index: number }
  /** The usage known so far, as totals: a later usage event replaces an earlier one. */
  | { type: "usage"; usage: CanonicalUsage }
  /** The answer is complete. Only a provider that said so emits it: never to paper over a cut. */
  | { type: "finish"; stopReason: StopReason; stopSequence?: string };

/** The upstream's own bytes for a frame: an SSE event's data (and event name) as it came. */
export interface RawFrame {
  dialect: Dialect;
  data: string;
  event?: string;
  /**
   * False where a client forwarded these bytes could not take another provider's continuation after a cut (a
   * Responses stream: its item ids and sequence numbers are the upstream's); the cut then ends the answer in band.
   */
  continuable?: false;
}

export interface StreamFrame {
  events: StreamEvent[];
  /** Set when a client speaking `raw.dialect` may be sent the upstream's bytes instead of a rendering. */
  raw?: RawFrame;
}

/** True when a frame carries something a client shows: a stream's commit point is the first such frame. */
export function frameHasContent(frame: StreamFrame): boolean {
  for (const event of frame.events) {
    if (event.type === "block_delta") {
      const delta = event.delta;
      if (delta.type === "signature" || delta.type === "citation") continue;
      const text = delta.type === "arguments" ? delta.json : delta.text;
      if (text.length > 0) return true;
    } else if (event.type === "block_start") {
      const kind = event.block.type;
      if (kind !== "text" && kind !== "thinking" && kind !== "refusal") return true;
    }
  }
  return false;
}

/** The finish event of a frame, if it has one. */
export function finishOf(frame: StreamFrame): Extract<StreamEvent, { type: "finish" }> | undefined {
  for (const event of frame.events) if (event.type === "finish") return event;
  return undefined;
}

/** Builds the whole answer from a stream's events: how a stream's result is checked, and a stream made a response. */
export function collectResponse(events: Iterable<StreamEvent>): CanonicalResponse {
  const response: CanonicalResponse = { id: "", model: "", created: 0, content: [], stopReason: null };
  const blocks = new Map<number, ContentBlock>();
  const order: number[] = [];
  // A server tool call's input streams as JSON text; it is parsed once the stream is over.
  const serverInputs = new Map<number, string>();
  for (const event of events) {
    switch (event.type) {
      case "start":
        response.id = event.id;
        response.model = event.model;
        response.created = event.created;
        break;
      case "block_start":
        if (!blocks.has(event.index)) order.push(event.index);
        blocks.set(event.index, blockFor(event.block));
        break;
      case "block_delta": {
        const block = blocks.get(event.index);
        if (block?.type === "server_tool_call" && event.delta.type === "arguments") {
          serverInputs.set(event.index, (serverInputs.get(event.index) ?? "") + event.delta.json);
        } else if (block) applyDelta(block, event.delta);
        break;
      }
      case "block_stop":
        break;
      case "usage":
        response.usage = event.usage;
        break;
      case "finish":
        response.stopReason = event.stopReason;
        if (event.stopSequence !== undefined) response.stopSequence = event.stopSequence;
        break;
    }
  }
  for (const [index, text] of serverInputs) {
    const block = blocks.get(index);
    if (block?.type === "server_tool_call") block.input = parseOr(text, text);
  }
  response.content = order.map((index) => blocks.get(index) as ContentBlock);
  return response;
}

function parseOr(text: string, fallback: unknown): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return fallback;
  }
}

function blockFor(start: BlockStart): ContentBlock {
  switch (start.type) {
    case "text":
      return { type: "text", text: "" };
    case "thinking":
      return start.origin === undefined
        ? { type: "thinking", text: "" }
        : { type: "thinking", text: "", origin: start.origin };
    case "redacted_thinking":
      return start.origin === undefined
        ? { type: "redacted_thinking", data: start.data }
        : { type: "redacted_thinking", data: start.data, origin: start.origin };
    case "tool_call":
      return start.signature === undefined
        ? { type: "tool_call", id: start.id, name: start.name, arguments: "" }
        : { type: "tool_call", id: start.id, name: start.name, arguments: "", signature: start.signature };
    case "server_tool_call":
      return { type: "server_tool_call", id: start.id, name: start.name, input: {} };
    case "server_tool_result":
      return {
        type: "server_tool_result",
        callId: start.callId,
        resultType: start.resultType,
        content: start.content,
      };
    case "refusal":
      return { type: "refusal", text: "" };
  }
}

function applyDelta(block: ContentBlock, delta: BlockDelta): void {
  switch (delta.type) {
    case "text":
      if (block.type === "text") block.text += delta.text;
      break;
    case "thinking":
      if (block.type === "thinking") block.text += delta.text;
      break;
    case "signature":
      if (block.type === "thinking" || block.type === "tool_call") block.signature = delta.signature;
      if (block.type === "thinking" && delta.origin !== undefined) block.origin = delta.origin;
      break;
    case "arguments":
      if (block.type === "tool_call") block.arguments += delta.json;
      break;
    case "refusal":
      if (block.type === "refusal") block.text += delta.text;
      break;
    case "citation":
      if (block.type === "text") (block.citations ??= []).push(delta.citation);
      break;
  }
}
