// Replays every recorded Gemini stream through the frame translator: canonical events checked against the recording.
import { describe, expect, test } from "bun:test";
import { GatewayError } from "../../api/errors.ts";
import { collectResponse, type StreamEvent, type StreamFrame } from "../../canonical/stream.ts";
import type { Logger } from "../../log/logger.ts";
import { silentLogger } from "../../log/logger.ts";
import { readEventStream } from "../event-stream.ts";
import { bodyOf, counterIds, drain, fixtureEvents, fixtureJson, fixtureText } from "../testing.ts";
import { geminiStreamTransformer, type StreamContext } from "./stream.ts";
import { encodeToolCallId, geminiIdFromToolCallId } from "./tool-ids.ts";
import { type GeminiResponse, geminiResponseSchema } from "./wire.ts";

const NOW = 1_754_000_000_123;
const CREATED = Math.floor(NOW / 1000);

function context(overrides: Partial<StreamContext> = {}): StreamContext {
  return {
    providerId: "google",
    model: "asked-model",
    keySource: "configured",
    clock: () => NOW,
    newId: counterIds(),
    logger: silentLogger,
    ...overrides,
  };
}

/**
 * A recorded SSE body as it is, or events as the SSE body Gemini sends (alt=sse, CRLF CRLF), through the shared
 * reader and the translator.
 */
async function translate(input: unknown[] | string, overrides: Partial<StreamContext> = {}) {
  const sse =
    typeof input === "string"
      ? input
      : input.map((event) => `data: ${JSON.stringify(event)}\r\n\r\n`).join("");
  const stream = readEventStream(
    bodyOf(sse, { pieceSize: 61 }),
    "sse",
    geminiStreamTransformer(context(overrides)),
    { providerId: "google", signal: new AbortController().signal },
  );
  const result = await drain<StreamFrame>(stream);
  const events = result.items.flatMap((frame) => frame.events);
  return { frames: result.items, events, error: result.error };
}

/** The recorded events, read through the wire schema only to have their fields typed. */
function recorded(name: string): GeminiResponse[] {
  return fixtureEvents("google", name).map((event) => geminiResponseSchema.parse(event));
}

function partsOf(events: GeminiResponse[]) {
  return events.flatMap((event) => event.candidates?.[0]?.content?.parts ?? []);
}

function textOf(events: GeminiResponse[], thought: boolean): string {
  return partsOf(events)
    .filter((part) => (part.thought === true) === thought && !part.functionCall)
    .map((part) => part.text ?? "")
    .join("");
}

/** The usage a recorded event reports, as the canonical totals. */
function usageOf(event: GeminiResponse | undefined) {
  const usage = event?.usageMetadata;
  const thoughts = usage?.thoughtsTokenCount;
  return {
    inputTokens: usage?.promptTokenCount ?? 0,
    outputTokens: (usage?.candidatesTokenCount ?? 0) + (thoughts ?? 0),
    ...(thoughts != null ? { reasoningTokens: thoughts } : {}),
  };
}

function ofType<T extends StreamEvent["type"]>(events: StreamEvent[], type: T) {
  return events.filter((event): event is Extract<StreamEvent, { type: T }> => event.type === type);
}

describe("recorded streams", () => {
  test("stream-text-sse.sse: one frame per event; start, one text block, usage as it changes, end_turn", async () => {
    const source = recorded("stream-text-sse.sse");
    const pieces = partsOf(source).map((part) => part.text ?? "");
    const { frames, error } = await translate(fixtureText("google", "stream-text-sse.sse"));
    expect(error).toBeUndefined();
    expect(frames.map((frame) => frame.events)).toEqual([
      [
        {
          type: "start",
          id: source[0]?.responseId ?? "",
          model: source[0]?.modelVersion ?? "",
          created: CREATED,
        },
        { type: "block_start", index: 0, block: { type: "text" } },
        { type: "block_delta", index: 0, delta: { type: "text", text: pieces[0] ?? "" } },
        { type: "usage", usage: usageOf(source[0]) },
      ],
      // The second event repeats the first one's usage: no usage event.
      [{ type: "block_delta", index: 0, delta: { type: "text", text: pieces[1] ?? "" } }],
      [
        { type: "block_delta", index: 0, delta: { type: "text", text: pieces[2] ?? "" } },
        { type: "usage", usage: usageOf(source[2]) },
        { type: "block_stop", index: 0 },
        { type: "finish", stopReason: "end_turn" },
      ],
    ]);
    expect(frames.every((frame) => frame.raw === undefined)).toBe(true);
  });

  test("stream-text-sse-usage-thoughts.sse: the last cumulative usage, thoughts as reasoning tokens", async () => {
    const source = recorded("stream-text-sse-usage-thoughts.sse");
    const { events, error } = await translate(fixtureText("google", "stream-text-sse-usage-thoughts.sse"));
    expect(error).toBeUndefined();
    const response = collectResponse(events);
    expect(response.id).toBe(source[0]?.responseId ?? "");
    expect(response.content).toEqual([{ type: "text", text: textOf(source, false) }]);
    expect(response.stopReason).toBe("end_turn");
    expect(response.usage).toEqual(usageOf(source.at(-1)));
    expect(response.usage?.reasoningTokens).toBe(source.at(-1)?.usageMetadata?.thoughtsTokenCount ?? -1);
  });

  test("stream-text-thinking.chunks.jsonl: the empty signature-only text part adds nothing", async () => {
    const source = recorded("stream-text-thinking.chunks.jsonl");
    expect(partsOf(source).at(-1)?.thoughtSignature).toBeString();
    const { frames, events, error } = await translate(
      fixtureEvents("google", "stream-text-thinking.chunks.jsonl"),
    );
    expect(error).toBeUndefined();
    expect(frames).toHaveLength(3);
    expect(frames[2]?.events).toEqual([
      { type: "block_stop", index: 0 },
      { type: "finish", stopReason: "end_turn" },
    ]);
    expect(collectResponse(events)).toEqual({
      id: source[0]?.responseId ?? "",
      model: source[0]?.modelVersion ?? "",
      created: CREATED,
      content: [{ type: "text", text: textOf(source, false) }],
      stopReason: "end_turn",
      usage: usageOf(source.at(-1)),
    });
  });

  test("stream-thinking-thought-parts.sse: a thinking block of origin google, then the answer", async () => {
    const source = recorded("stream-thinking-thought-parts.sse");
    const { frames, events, error } = await translate(
      fixtureEvents("google", "stream-thinking-thought-parts.sse"),
    );
    expect(error).toBeUndefined();
    expect(frames).toHaveLength(source.length);
    expect(ofType(events, "block_start")).toEqual([
      { type: "block_start", index: 0, block: { type: "thinking", origin: "google" } },
      { type: "block_start", index: 1, block: { type: "text" } },
    ]);
    // The thinking block ends where the answer starts.
    const stops = events.findIndex((event) => event.type === "block_stop");
    const answer = events.findIndex((event) => event.type === "block_start" && event.index === 1);
    expect(stops).toBe(answer - 1);
    const response = collectResponse(events);
    expect(response.content).toEqual([
      { type: "thinking", text: textOf(source, true), origin: "google" },
      { type: "text", text: textOf(source, false) },
    ]);
    expect(response.stopReason).toBe("end_turn");
    expect(response.usage).toEqual(usageOf(source.at(-1)));
  });

  test("stream-jsonarray-thought-and-function-call.json: a thought, then a whole signed tool call, tool_use", async () => {
    const source = recorded("stream-jsonarray-thought-and-function-call.json");
    const callPart = partsOf(source).find((part) => part.functionCall);
    const signature = callPart?.thoughtSignature ?? "";
    expect(signature).not.toBe("");
    const id = encodeToolCallId("call_1", signature);
    const { frames, events, error } = await translate(source);
    expect(error).toBeUndefined();
    expect(frames).toHaveLength(2);
    expect(frames[1]?.events).toEqual([
      { type: "block_stop", index: 0 },
      {
        type: "block_start",
        index: 1,
        block: { type: "tool_call", id, name: callPart?.functionCall?.name ?? "", signature },
      },
      {
        type: "block_delta",
        index: 1,
        delta: { type: "arguments", json: JSON.stringify(callPart?.functionCall?.args) },
      },
      { type: "block_stop", index: 1 },
      { type: "usage", usage: usageOf(source[1]) },
      { type: "finish", stopReason: "tool_use" },
    ]);
    const response = collectResponse(events);
    expect(response.content).toEqual([
      { type: "thinking", text: textOf(source, true), origin: "google" },
      {
        type: "tool_call",
        id,
        name: callPart?.functionCall?.name ?? "",
        arguments: JSON.stringify(callPart?.functionCall?.args),
        signature,
      },
    ]);
  });

  test("stream-function-call-partial-args-vertex.chunks.jsonl: streamed arguments, one delta per call", async () => {
    const source = recorded("stream-function-call-partial-args-vertex.chunks.jsonl");
    const signature = partsOf(source)[0]?.thoughtSignature ?? "";
    expect(signature).not.toBe("");
    const { frames, events, error } = await translate(
      fixtureEvents("google", "stream-function-call-partial-args-vertex.chunks.jsonl"),
    );
    expect(error).toBeUndefined();
    // Events that only carry argument pieces make no frame of their own.
    expect(frames).toHaveLength(4);
    const response = collectResponse(events);
    // The pieces, assembled by hand from the recording: location "Boston" for the first call, then "San Francisco".
    const pieces = partsOf(source)
      .flatMap((part) => part.functionCall?.partialArgs ?? [])
      .map((arg) => arg.stringValue ?? "");
    expect(pieces.join("|")).toBe("Boston||San Francisco|");
    expect(response.content).toEqual([
      {
        type: "tool_call",
        id: encodeToolCallId("call_1", signature),
        name: "getWeather",
        arguments: JSON.stringify({ location: "Boston" }),
        signature,
      },
      {
        type: "tool_call",
        id: "call_2",
        name: "getWeather",
        arguments: JSON.stringify({ location: "San Francisco" }),
      },
    ]);
    expect(ofType(events, "block_delta")).toHaveLength(2);
    expect(response.stopReason).toBe("tool_use");
    // Vertex's early events report no counts (only trafficType): the one usage is the final one.
    expect(ofType(events, "usage")).toEqual([{ type: "usage", usage: usageOf(source.at(-1)) }]);
  });
});

describe("stream contract", () => {
  test("a stream that ends without a finishReason errors as cut (502, transient), no made-up finish", async () => {
    const events = fixtureEvents("google", "stream-text-sse.sse").slice(0, 2);
    const result = await translate(events);
    expect(ofType(result.events, "block_delta").map((event) => event.delta)).toEqual([
      { type: "text", text: "The" },
      { type: "text", text: " capital of France" },
    ]);
    expect(ofType(result.events, "finish")).toEqual([]);
    expect(result.error).toBeInstanceOf(GatewayError);
    expect(result.error).toMatchObject({ status: 502, kind: "transient", code: "stream_cut" });
    expect(String((result.error as Error).message)).toContain("cut");
  });

  test("an error event after the 200 (RESOURCE_EXHAUSTED) errors the stream with its kind, after what came before", async () => {
    const events = fixtureEvents("google", "stream-text-sse.sse");
    const { frames, error } = await translate([
      events[0],
      fixtureJson("google", "error-429-resource-exhausted-retryinfo.json"),
    ]);
    expect(frames).toHaveLength(1);
    expect(error).toMatchObject({ status: 429, kind: "rate_limited", retryHints: { retryDelay: "34.4s" } });
  });

  test("data that is not JSON is skipped with a warning, not fatal", async () => {
    const warnings: string[] = [];
    const logger: Logger = { ...silentLogger, warn: (message) => warnings.push(message) };
    const raw = fixtureText("google", "stream-text-sse.sse");
    const { events, error } = await translate(`data: {not json\r\n\r\n${raw}`, { logger });
    expect(error).toBeUndefined();
    expect(collectResponse(events).content).toEqual([
      { type: "text", text: "The capital of France is Paris.\n" },
    ]);
    expect(warnings).toEqual(["gemini stream: skipped an event that is not JSON"]);
  });

  test("an event that is not a response is skipped with a warning", async () => {
    const warnings: string[] = [];
    const logger: Logger = { ...silentLogger, warn: (message) => warnings.push(message) };
    const events = fixtureEvents("google", "stream-text-sse.sse");
    const result = await translate([events[0], "not json", { candidates: "nope" }, ...events.slice(1)], {
      logger,
    });
    expect(result.error).toBeUndefined();
    expect(collectResponse(result.events).content).toEqual([
      { type: "text", text: "The capital of France is Paris.\n" },
    ]);
    expect(warnings).toHaveLength(2);
  });

  test("a blocked prompt (promptFeedback, no candidates) starts and finishes with content_filter", async () => {
    const { frames, error } = await translate([
      {
        promptFeedback: { blockReason: "SAFETY" },
        usageMetadata: { promptTokenCount: 7, totalTokenCount: 7 },
      },
    ]);
    expect(error).toBeUndefined();
    expect(frames.map((frame) => frame.events)).toEqual([
      [
        { type: "start", id: "chatcmpl-1", model: "asked-model", created: CREATED },
        { type: "usage", usage: { inputTokens: 7, outputTokens: 0 } },
        { type: "finish", stopReason: "content_filter" },
      ],
    ]);
  });

  test("MAX_TOKENS -> max_tokens; the filters -> content_filter", async () => {
    const event = (reason: string) => ({
      candidates: [{ content: { role: "model", parts: [{ text: "x" }] }, finishReason: reason }],
    });
    const stopOf = async (reason: string) => ofType((await translate([event(reason)])).events, "finish");
    expect(await stopOf("MAX_TOKENS")).toEqual([{ type: "finish", stopReason: "max_tokens" }]);
    for (const reason of ["SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII"]) {
      expect(await stopOf(reason)).toEqual([{ type: "finish", stopReason: "content_filter" }]);
    }
  });

  test("a signed thought part: a signature delta, and the thinking block ends there", async () => {
    const { events, error } = await translate([
      {
        candidates: [
          { content: { role: "model", parts: [{ text: "Hmm", thought: true, thoughtSignature: "c2ln" }] } },
        ],
      },
      { candidates: [{ content: { role: "model", parts: [{ text: "More", thought: true }] } }] },
      { candidates: [{ content: { role: "model", parts: [{ text: "Yes" }] }, finishReason: "STOP" }] },
    ]);
    expect(error).toBeUndefined();
    expect(events.slice(1, 5)).toEqual([
      { type: "block_start", index: 0, block: { type: "thinking", origin: "google" } },
      { type: "block_delta", index: 0, delta: { type: "thinking", text: "Hmm" } },
      { type: "block_delta", index: 0, delta: { type: "signature", signature: "c2ln" } },
      { type: "block_stop", index: 0 },
    ]);
    expect(collectResponse(events).content).toEqual([
      { type: "thinking", text: "Hmm", origin: "google", signature: "c2ln" },
      { type: "thinking", text: "More", origin: "google" },
      { type: "text", text: "Yes" },
    ]);
  });
});

function recordingLogger(): { logger: Logger; warnings: string[] } {
  const warnings: string[] = [];
  return { logger: { ...silentLogger, warn: (message) => warnings.push(message) }, warnings };
}

describe("finish reasons that are not a plain stop", () => {
  const event = (parts: unknown[], finishReason?: string, finishMessage?: string) => ({
    candidates: [{ content: { role: "model", parts }, finishReason, finishMessage }],
  });

  test("CONTINUATION -> max_tokens, and the truncation is logged (the headers are already sent)", async () => {
    const { logger, warnings } = recordingLogger();
    const { events, error } = await translate(
      [event([{ text: "Half of" }]), event([{ text: " it" }], "CONTINUATION")],
      { logger },
    );
    expect(error).toBeUndefined();
    expect(ofType(events, "finish")).toEqual([{ type: "finish", stopReason: "max_tokens" }]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("CONTINUATION");
  });

  test("MALFORMED_FUNCTION_CALL after only thoughts errors the stream: bad_response, no finish", async () => {
    const { events, error } = await translate([
      event([{ text: "Planning a call", thought: true }]),
      event([], "MALFORMED_FUNCTION_CALL", "Malformed function call: weather(city="),
    ]);
    expect(collectResponse(events).content).toEqual([
      { type: "thinking", text: "Planning a call", origin: "google" },
    ]);
    expect(ofType(events, "finish")).toEqual([]);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ status: 502, code: "malformed_function_call", kind: "bad_response" });
    expect((error as Error).message).toContain("Malformed function call: weather(city=");
  });

  test("OTHER with no content at all -> no_content error; after text -> end_turn with a logged warning", async () => {
    const empty = await translate([event([], "OTHER")]);
    expect(ofType(empty.events, "block_start")).toEqual([]);
    expect(empty.error).toMatchObject({ status: 502, code: "no_content", kind: "bad_response" });

    const { logger, warnings } = recordingLogger();
    const partial = await translate([event([{ text: "Some answer" }], "OTHER")], { logger });
    expect(partial.error).toBeUndefined();
    expect(ofType(partial.events, "finish")).toEqual([{ type: "finish", stopReason: "end_turn" }]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("OTHER");
  });

  test("a Gemini functionCall.id is the base of the streamed tool call id", async () => {
    const { events, error } = await translate([
      event([{ functionCall: { id: "fc-7", name: "weather", args: { city: "Oslo" } } }], "STOP"),
    ]);
    expect(error).toBeUndefined();
    const [start] = ofType(events, "block_start");
    const id = start?.block.type === "tool_call" ? start.block.id : "";
    expect(id).toStartWith("gcall_");
    expect(geminiIdFromToolCallId(id)).toBe("fc-7");
    expect(ofType(events, "finish")).toEqual([{ type: "finish", stopReason: "tool_use" }]);
  });
});
