// Replays every recorded Gemini stream through the chunk translator and checks the chunks field by field.
import { describe, expect, test } from "bun:test";
import type { ChatCompletionChunk } from "../../api/chat.ts";
import { GatewayError } from "../../api/errors.ts";
import type { Logger } from "../../log/logger.ts";
import { silentLogger } from "../../log/logger.ts";
import { readEventStream } from "../event-stream.ts";
import { bodyOf, counterIds, drain, fixtureEvents, fixtureJson, fixtureText } from "../testing.ts";
import type { StreamChunk } from "../types.ts";
import { geminiStreamTransformer, type StreamContext } from "./stream.ts";
import { geminiIdFromToolCallId, signatureFromToolCallId } from "./tool-ids.ts";

const NOW = 1_754_000_000_123;

function context(overrides: Partial<StreamContext> = {}): StreamContext {
  return {
    providerId: "google",
    model: "asked-model",
    includeUsage: false,
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
    {
      providerId: "google",
      signal: new AbortController().signal,
    },
  );
  const result = await drain<StreamChunk>(stream);
  return { chunks: result.items.map((item) => item.chunk), error: result.error };
}

function deltas(chunks: ChatCompletionChunk[]) {
  return chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.delta));
}

function text(chunks: ChatCompletionChunk[], field: "content" | "reasoning_content"): string {
  return deltas(chunks)
    .map((delta) => delta[field] ?? "")
    .join("");
}

function expectEnvelope(chunks: ChatCompletionChunk[], id: string, model: string): void {
  for (const chunk of chunks) {
    expect(chunk.id).toBe(id);
    expect(chunk.object).toBe("chat.completion.chunk");
    expect(chunk.created).toBe(Math.floor(NOW / 1000));
    expect(chunk.model).toBe(model);
  }
}

describe("recorded streams", () => {
  test("stream-text-sse.sse: text deltas, then stop, then usage", async () => {
    const { chunks, error } = await translate(fixtureText("google", "stream-text-sse.sse"), {
      includeUsage: true,
    });
    expect(error).toBeUndefined();
    expect(chunks).toHaveLength(5);
    expectEnvelope(chunks, "chatcmpl-w1peaMz6INOvnvgPgYfPiQY", "gemini-2.0-flash-exp");
    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: "assistant", content: "The" });
    expect(chunks[1]?.choices[0]?.delta).toEqual({ content: " capital of France" });
    expect(chunks[2]?.choices[0]?.delta).toEqual({ content: " is Paris.\n" });
    expect(chunks[3]?.choices[0]).toEqual({ index: 0, delta: {}, finish_reason: "stop" });
    expect(chunks[4]?.choices).toEqual([]);
    expect(chunks[4]?.usage).toEqual({ prompt_tokens: 13, completion_tokens: 8, total_tokens: 21 });
  });

  test("stream-text-sse-usage-thoughts.sse: last cumulative usage, thoughts counted as reasoning", async () => {
    const { chunks, error } = await translate(fixtureText("google", "stream-text-sse-usage-thoughts.sse"), {
      includeUsage: true,
    });
    expect(error).toBeUndefined();
    expectEnvelope(chunks, "chatcmpl-ru1garvBEoOiqtsP2fznmQw", "gemini-2.5-flash");
    const expected = Array.from({ length: 30 }, (_, index) => String(index + 1)).join("\n");
    expect(text(chunks, "content")).toBe(expected);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe("stop");
    expect(chunks.at(-1)?.usage).toEqual({
      prompt_tokens: 18,
      completion_tokens: 115,
      total_tokens: 133,
      completion_tokens_details: { reasoning_tokens: 35 },
    });
  });

  test("stream-text-thinking.chunks.jsonl: the empty signature-only part adds nothing", async () => {
    const { chunks, error } = await translate(fixtureEvents("google", "stream-text-thinking.chunks.jsonl"));
    expect(error).toBeUndefined();
    expect(chunks).toHaveLength(3);
    expectEnvelope(chunks, "chatcmpl-bH6LaZW8Fp_3nsEPqtaSwQ4", "gemini-3-pro-preview");
    expect(text(chunks, "content")).toBe('There are **3** "r"s in strawberry.\n\nst**r**awbe**rr**y');
    expect(chunks[2]?.choices[0]).toEqual({ index: 0, delta: {}, finish_reason: "stop" });
    expect(chunks.some((chunk) => chunk.usage)).toBe(false);
  });

  test("stream-thinking-thought-parts.sse: thought parts -> reasoning_content, before the answer", async () => {
    const events = fixtureEvents("google", "stream-thinking-thought-parts.sse");
    const { chunks, error } = await translate(events, { includeUsage: true });
    expect(error).toBeUndefined();
    expectEnvelope(chunks, "chatcmpl-beHBaJfEMIi-qtsP3769-Q8", "gemini-2.5-pro");
    expect(chunks[0]?.choices[0]?.delta.role).toBe("assistant");
    expect(chunks[0]?.choices[0]?.delta.reasoning_content).toStartWith("**Clarifying User Goals**");
    const reasoning = text(chunks, "reasoning_content");
    expect(reasoning).toContain("**Crafting Safe Instructions**");
    const content = text(chunks, "content");
    expect(content).toStartWith("This is a great question!");
    expect(content).toEndWith("Always assume a driver might not see you.");
    const firstContent = chunks.findIndex((chunk) => chunk.choices[0]?.delta.content);
    const lastReasoning = chunks.findLastIndex((chunk) => chunk.choices[0]?.delta.reasoning_content);
    expect(lastReasoning).toBeLessThan(firstContent);
    // One chunk per event (23: 4 thoughts, 19 answer pieces), a finish and a usage chunk.
    expect(events).toHaveLength(23);
    expect(chunks).toHaveLength(25);
    expect(chunks.at(-1)?.usage).toEqual({
      prompt_tokens: 34,
      completion_tokens: 1256,
      total_tokens: 1290,
      completion_tokens_details: { reasoning_tokens: 787 },
    });
  });

  test("stream-jsonarray-thought-and-function-call.json: thought, then a tool call carrying its signature", async () => {
    const events = fixtureEvents("google", "stream-jsonarray-thought-and-function-call.json");
    const { chunks, error } = await translate(events);
    expect(error).toBeUndefined();
    expectEnvelope(chunks, "chatcmpl-OYpyaqycKd2V_uMP65TsgA0", "gemini-2.5-flash");
    expect(chunks).toHaveLength(4);
    expect(chunks[0]?.choices[0]?.delta.reasoning_content).toStartWith("**Generating Pelican Names**");
    const header = chunks[1]?.choices[0]?.delta.tool_calls?.[0];
    expect(header?.index).toBe(0);
    expect(header?.type).toBe("function");
    expect(header?.function).toEqual({ name: "pelican_name_generator", arguments: "" });
    expect(header?.id).toStartWith("call_1__gts_");
    expect(signatureFromToolCallId(header?.id ?? "")).toStartWith("ClgBEU0yD8z3tYzbgjZ1jc6lL1fwUvm9/8OzTwh5");
    expect(chunks[2]?.choices[0]?.delta.tool_calls).toEqual([{ index: 0, function: { arguments: "{}" } }]);
    expect(chunks[3]?.choices[0]).toEqual({ index: 0, delta: {}, finish_reason: "tool_calls" });
  });

  test("stream-function-call-partial-args-vertex.chunks.jsonl: streamed arguments are assembled per call", async () => {
    const events = fixtureEvents("google", "stream-function-call-partial-args-vertex.chunks.jsonl");
    const { chunks, error } = await translate(events, { includeUsage: true });
    expect(error).toBeUndefined();
    expectEnvelope(chunks, "chatcmpl-dqHOab6xGLzWodAPkPuViA4", "gemini-3.1-pro-preview");
    const calls = deltas(chunks).flatMap((delta) => delta.tool_calls ?? []);
    expect(calls).toHaveLength(4);
    expect(calls[0]).toMatchObject({
      index: 0,
      type: "function",
      function: { name: "getWeather", arguments: "" },
    });
    expect(signatureFromToolCallId(calls[0]?.id ?? "")).toStartWith(
      "CiMBjz1rX25KieIB4d4AwFn8/WbsHTRNHBXso88P",
    );
    expect(calls[1]).toEqual({ index: 0, function: { arguments: '{"location":"Boston"}' } });
    expect(calls[2]).toEqual({
      index: 1,
      id: "call_2",
      type: "function",
      function: { name: "getWeather", arguments: "" },
    });
    expect(calls[3]).toEqual({ index: 1, function: { arguments: '{"location":"San Francisco"}' } });
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe("tool_calls");
    expect(chunks.at(-1)?.usage).toEqual({
      prompt_tokens: 26,
      completion_tokens: 155,
      total_tokens: 181,
      completion_tokens_details: { reasoning_tokens: 132 },
    });
  });
});

describe("stream contract", () => {
  test("a stream that ends without a finishReason errors as cut (502, transient), no made-up finish", async () => {
    const events = fixtureEvents("google", "stream-text-sse.sse").slice(0, 2);
    const { chunks, error } = await translate(events, { includeUsage: true });
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content)).toEqual(["The", " capital of France"]);
    expect(chunks.some((chunk) => chunk.choices[0]?.finish_reason)).toBe(false);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ status: 502, kind: "transient", code: "stream_cut" });
    expect(String((error as Error).message)).toContain("cut");
  });

  test("an error event after the 200 (RESOURCE_EXHAUSTED) errors the stream with its kind, after what came before", async () => {
    const events = fixtureEvents("google", "stream-text-sse.sse");
    const { chunks, error } = await translate([
      events[0],
      fixtureJson("google", "error-429-resource-exhausted-retryinfo.json"),
    ]);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content)).toEqual(["The"]);
    expect(error).toMatchObject({ status: 429, kind: "rate_limited", retryHints: { retryDelay: "34.4s" } });
  });

  test("data that is not JSON is skipped with a warning, not fatal", async () => {
    const warnings: string[] = [];
    const logger: Logger = { ...silentLogger, warn: (message) => warnings.push(message) };
    const raw = fixtureText("google", "stream-text-sse.sse");
    const { chunks, error } = await translate(`data: {not json\r\n\r\n${raw}`, { logger });
    expect(error).toBeUndefined();
    expect(text(chunks, "content")).toBe("The capital of France is Paris.\n");
    expect(warnings).toEqual(["gemini stream: skipped an event that is not JSON"]);
  });

  test("an event that is not a response is skipped with a warning", async () => {
    const warnings: string[] = [];
    const logger: Logger = { ...silentLogger, warn: (message) => warnings.push(message) };
    const events = fixtureEvents("google", "stream-text-sse.sse");
    const { chunks, error } = await translate(
      [events[0], "not json", { candidates: "nope" }, ...events.slice(1)],
      {
        logger,
      },
    );
    expect(error).toBeUndefined();
    expect(text(chunks, "content")).toBe("The capital of France is Paris.\n");
    expect(warnings).toHaveLength(2);
  });

  test("a blocked prompt (promptFeedback, no candidates) finishes with content_filter", async () => {
    const { chunks, error } = await translate([
      {
        promptFeedback: { blockReason: "SAFETY" },
        usageMetadata: { promptTokenCount: 7, totalTokenCount: 7 },
      },
    ]);
    expect(error).toBeUndefined();
    expect(chunks).toHaveLength(1);
    expect(chunks[0]?.choices[0]).toEqual({
      index: 0,
      delta: { role: "assistant" },
      finish_reason: "content_filter",
    });
    expect(chunks[0]?.model).toBe("asked-model");
  });

  test("MAX_TOKENS -> length; SAFETY -> content_filter", async () => {
    const event = (reason: string) => ({
      candidates: [{ content: { role: "model", parts: [{ text: "x" }] }, finishReason: reason }],
    });
    expect((await translate([event("MAX_TOKENS")])).chunks.at(-1)?.choices[0]?.finish_reason).toBe("length");
    expect((await translate([event("SAFETY")])).chunks.at(-1)?.choices[0]?.finish_reason).toBe(
      "content_filter",
    );
    expect((await translate([event("RECITATION")])).chunks.at(-1)?.choices[0]?.finish_reason).toBe(
      "content_filter",
    );
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

  test("CONTINUATION -> length, and the truncation is logged (the headers are already sent)", async () => {
    const { logger, warnings } = recordingLogger();
    const { chunks, error } = await translate(
      [event([{ text: "Half of" }]), event([{ text: " it" }], "CONTINUATION")],
      {
        logger,
      },
    );
    expect(error).toBeUndefined();
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("length");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("CONTINUATION");
  });

  test("MALFORMED_FUNCTION_CALL after only thoughts errors the stream: bad_response, no finish chunk", async () => {
    const { chunks, error } = await translate([
      event([{ text: "Planning a call", thought: true }]),
      event([], "MALFORMED_FUNCTION_CALL", "Malformed function call: weather(city="),
    ]);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.reasoning_content)).toEqual(["Planning a call"]);
    expect(chunks.some((chunk) => chunk.choices[0]?.finish_reason)).toBe(false);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ status: 502, code: "malformed_function_call", kind: "bad_response" });
    expect((error as Error).message).toContain("Malformed function call: weather(city=");
  });

  test("OTHER with no content at all -> no_content error; after text -> stop with a logged warning", async () => {
    const empty = await translate([event([], "OTHER")]);
    expect(empty.chunks).toEqual([]);
    expect(empty.error).toMatchObject({ status: 502, code: "no_content", kind: "bad_response" });

    const { logger, warnings } = recordingLogger();
    const partial = await translate([event([{ text: "Some answer" }], "OTHER")], { logger });
    expect(partial.error).toBeUndefined();
    expect(partial.chunks.at(-1)?.choices[0]?.finish_reason).toBe("stop");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("OTHER");
  });

  test("a Gemini functionCall.id is the base of the streamed tool call id", async () => {
    const { chunks, error } = await translate([
      event([{ functionCall: { id: "fc-7", name: "weather", args: { city: "Oslo" } } }], "STOP"),
    ]);
    expect(error).toBeUndefined();
    const header = chunks[0]?.choices[0]?.delta.tool_calls?.[0];
    expect(header?.id).toStartWith("gcall_");
    expect(geminiIdFromToolCallId(header?.id ?? "")).toBe("fc-7");
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("tool_calls");
  });
});
