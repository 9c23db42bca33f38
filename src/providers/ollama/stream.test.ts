// Replays recorded Ollama NDJSON streams through the shared reader and the frame translator, event by event.
import { describe, expect, test } from "bun:test";
import { GatewayError } from "../../api/errors.ts";
import { collectResponse, type StreamEvent, type StreamFrame } from "../../canonical/stream.ts";
import { type Logger, silentLogger } from "../../log/logger.ts";
import { readEventStream } from "../event-stream.ts";
import {
  bodyOf,
  counterIds as counter,
  drain,
  fixtureBytes,
  fixtureEvents,
  fixtureJson,
} from "../testing.ts";
import { ollamaStreamTransformer, type StreamContext } from "./stream.ts";

const STREAM = fixtureBytes("ollama", "chat-stream-httprr.ndjson");
const LENGTH_STREAM = fixtureBytes("ollama", "chat-default-stream-httprr.ndjson");

/** A recorded line as the tests read it, independently of the translator's schema. */
interface RecordedLine {
  model: string;
  message: { content: string; thinking?: string; tool_calls?: RecordedCall[] };
  done: boolean;
  done_reason?: string;
  prompt_eval_count?: number;
  eval_count?: number;
}
interface RecordedCall {
  id?: string;
  function: { name: string; arguments: Record<string, unknown> };
}

const recorded = (name: string): RecordedLine[] => fixtureEvents("ollama", name) as RecordedLine[];
const STREAM_LINES = recorded("chat-stream-httprr.ndjson");
const LENGTH_LINES = recorded("chat-default-stream-httprr.ndjson");
const CLOUD = fixtureJson("ollama", "chat-tool-call-cloud-httprr.json") as RecordedLine;

/** The done line's counts (docs/api.md: prompt_eval_count and eval_count; a zero count is left out). */
function usageOf(line: RecordedLine) {
  return { inputTokens: line.prompt_eval_count ?? 0, outputTokens: line.eval_count ?? 0 };
}

function lastOf(lines: RecordedLine[]): RecordedLine {
  const last = lines.at(-1);
  if (!last) throw new Error("the fixture is empty");
  return last;
}

function context(overrides: Partial<StreamContext> = {}): StreamContext {
  return {
    providerId: "ollama",
    id: "chatcmpl-test",
    created: 1_755_000_000,
    model: "fallback-model",
    keySource: "caller",
    newId: counter(),
    logger: silentLogger,
    ...overrides,
  };
}

const ndjson = (lines: unknown[]): Uint8Array =>
  new TextEncoder().encode(
    lines.map((line) => `${typeof line === "string" ? line : JSON.stringify(line)}\n`).join(""),
  );

/** Feeds bytes in pieces of `size` (splitting lines and UTF-8 characters) through the reader and the translator. */
async function replay(bytes: Uint8Array, streamContext: StreamContext = context(), size = 97) {
  const translator = ollamaStreamTransformer(streamContext);
  const stream = readEventStream(bodyOf(bytes, { pieceSize: size }), "ndjson", translator, {
    providerId: streamContext.providerId,
    signal: new AbortController().signal,
  });
  const { items, error } = await drain<StreamFrame>(stream);
  return { frames: items, error };
}

async function run(bytes: Uint8Array, streamContext?: StreamContext, size?: number): Promise<StreamFrame[]> {
  const { frames, error } = await replay(bytes, streamContext, size);
  if (error) throw error;
  return frames;
}

const eventsOf = (frames: StreamFrame[]): StreamEvent[] => frames.flatMap((frame) => frame.events);

test("the recorded stream's lines, split byte by byte, arrive whole (NDJSON framing)", async () => {
  const lines = {
    transform: (line: string, controller: TransformStreamDefaultController<string>) =>
      controller.enqueue(line),
  };
  const stream = readEventStream(bodyOf(LENGTH_STREAM, { pieceSize: 1 }), "ndjson", lines, {
    providerId: "ollama",
    signal: new AbortController().signal,
  });
  expect((await drain(stream)).items).toEqual(new TextDecoder().decode(LENGTH_STREAM).trim().split("\n"));
});

describe("chat-stream-httprr.ndjson (gemma3:1b, done_reason stop)", () => {
  test("one frame per line: start and one text block, its deltas, then stop, usage and finish", async () => {
    const frames = await run(STREAM);
    const done = lastOf(STREAM_LINES);
    const contentLines = STREAM_LINES.filter((line) => line.message.content !== "");
    // Every line with content is a frame, and so is the done line.
    expect(frames).toHaveLength(contentLines.length + 1);
    expect(frames[0]?.events).toEqual([
      { type: "start", id: "chatcmpl-test", model: done.model, created: 1_755_000_000 },
      { type: "block_start", index: 0, block: { type: "text" } },
      {
        type: "block_delta",
        index: 0,
        delta: { type: "text", text: contentLines[0]?.message.content ?? "" },
      },
    ]);
    contentLines.slice(1).forEach((line, at) => {
      expect(frames[at + 1]?.events).toEqual([
        { type: "block_delta", index: 0, delta: { type: "text", text: line.message.content } },
      ]);
    });
    expect(frames.at(-1)?.events).toEqual([
      { type: "block_stop", index: 0 },
      {
        type: "usage",
        usage: usageOf(done),
      },
      { type: "finish", stopReason: "end_turn" },
    ]);
    // Not the upstream's dialect: nothing is forwarded as raw bytes.
    expect(frames.every((frame) => frame.raw === undefined)).toBe(true);
  });

  test("collected, the frames are the whole answer", async () => {
    const response = collectResponse(eventsOf(await run(STREAM)));
    expect(response).toEqual({
      id: "chatcmpl-test",
      model: lastOf(STREAM_LINES).model,
      created: 1_755_000_000,
      content: [{ type: "text", text: STREAM_LINES.map((line) => line.message.content).join("") }],
      stopReason: "end_turn",
      usage: { inputTokens: 16, outputTokens: 22 },
    });
  });

  test("a body cut before the done:true line errors the stream, with no finish", async () => {
    const cut = ndjson(STREAM_LINES.slice(0, 10));
    const { frames, error } = await replay(cut);
    expect(frames).toHaveLength(10);
    const events = eventsOf(frames);
    expect(events.some((event) => event.type === "finish" || event.type === "usage")).toBe(false);
    expect(events.some((event) => event.type === "block_stop")).toBe(false);
    expect(error).toBeInstanceOf(GatewayError);
    const gatewayError = error as GatewayError;
    expect(gatewayError.status).toBe(502);
    expect(gatewayError.kind).toBe("transient");
    expect(gatewayError.code).toBe("stream_cut");
    expect(gatewayError.message).toContain("cut the stream");
  });
});

describe("chat-default-stream-httprr.ndjson (num_predict reached)", () => {
  test("done_reason length -> max_tokens; multi-byte text survives any split", async () => {
    const done = lastOf(LENGTH_LINES);
    for (const size of [1, 3, 64, 4096]) {
      const response = collectResponse(eventsOf(await run(LENGTH_STREAM, context(), size)));
      const text = LENGTH_LINES.map((line) => line.message.content).join("");
      expect(response.content).toEqual([{ type: "text", text }]);
      expect(text).toContain("I’m doing well");
      expect(text).toContain("😊");
      expect(done.done_reason).toBe("length");
      expect(response.stopReason).toBe("max_tokens");
      expect(response.usage).toEqual(usageOf(done));
    }
  });
});

describe("tool calls, thinking and errors", () => {
  // The streamed tool call line from docs/api.md "Chat request (Streaming with tools)", then its final line.
  const DOCS_TOOL_LINES = [
    '{"model":"llama3.2","created_at":"2025-07-07T20:22:19.184789Z","message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"get_weather","arguments":{"city":"Tokyo"}}}]},"done":false}',
    '{"model":"llama3.2","created_at":"2025-07-07T20:22:19.19314Z","message":{"role":"assistant","content":""},"done_reason":"stop","done":true,"total_duration":182242375,"load_duration":41295167,"prompt_eval_count":169,"prompt_eval_duration":24573166,"eval_count":15,"eval_duration":115959084}',
  ];

  test("a whole tool call is a block of its own: start with id and name, one arguments delta, stop", async () => {
    const frames = await run(ndjson(DOCS_TOOL_LINES));
    expect(frames.map((frame) => frame.events)).toEqual([
      [
        { type: "start", id: "chatcmpl-test", model: "llama3.2", created: 1_755_000_000 },
        // The docs' line has no call id (servers before 0.12): one is made.
        { type: "block_start", index: 0, block: { type: "tool_call", id: "call_1", name: "get_weather" } },
        { type: "block_delta", index: 0, delta: { type: "arguments", json: '{"city":"Tokyo"}' } },
        { type: "block_stop", index: 0 },
      ],
      [
        { type: "usage", usage: { inputTokens: 169, outputTokens: 15 } },
        // done_reason is "stop" on the wire; the call makes it tool_use.
        { type: "finish", stopReason: "tool_use" },
      ],
    ]);
  });

  test("the cloud fixture's message as a stream line: thinking (Ollama's, unsigned), then the call with its id", async () => {
    const response = collectResponse(eventsOf(await run(ndjson([CLOUD]))));
    const call = CLOUD.message.tool_calls?.[0];
    expect(response).toEqual({
      id: "chatcmpl-test",
      model: CLOUD.model,
      created: 1_755_000_000,
      content: [
        { type: "thinking", text: CLOUD.message.thinking ?? "", origin: "ollama" },
        {
          type: "tool_call",
          id: call?.id ?? "",
          name: call?.function.name ?? "",
          arguments: JSON.stringify(call?.function.arguments),
        },
      ],
      stopReason: "tool_use",
      usage: usageOf(CLOUD),
    });
    expect(response.content[1]).toMatchObject({ id: "call_mo1wm122", name: "getWeather" });
  });

  test("thinking streamed over lines stays one block, closed when the text starts", async () => {
    // The cloud fixture's thinking, a word a line, before the recorded gemma text stream.
    const words = (CLOUD.message.thinking ?? "").split(/(?<= )/);
    const thinkingLines = words.map((word) => ({
      model: STREAM_LINES[0]?.model,
      message: { role: "assistant", content: "", thinking: word },
      done: false,
    }));
    const frames = await run(ndjson([...thinkingLines, ...STREAM_LINES]));
    const events = eventsOf(frames);
    const starts = events.filter((event) => event.type === "block_start");
    expect(starts).toEqual([
      { type: "block_start", index: 0, block: { type: "thinking", origin: "ollama" } },
      { type: "block_start", index: 1, block: { type: "text" } },
    ]);
    const textStart = events.findIndex((event) => event.type === "block_start" && event.index === 1);
    expect(events[textStart - 1]).toEqual({ type: "block_stop", index: 0 });
    const thinkingDeltas = events.filter(
      (event) => event.type === "block_delta" && event.delta.type === "thinking",
    );
    expect(thinkingDeltas).toHaveLength(words.length);
    const response = collectResponse(events);
    expect(response.content).toEqual([
      { type: "thinking", text: CLOUD.message.thinking ?? "", origin: "ollama" },
      { type: "text", text: STREAM_LINES.map((line) => line.message.content).join("") },
    ]);
    expect(response.stopReason).toBe("end_turn");
  });

  test("an in-stream {error} line (docs/api/errors.mdx) errors the stream as transient", async () => {
    const { frames, error } = await replay(
      ndjson([...STREAM_LINES.slice(0, 3), '{"error":"an error was encountered while running the model"}']),
    );
    expect(frames).toHaveLength(3);
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).kind).toBe("transient");
    expect((error as GatewayError).status).toBe(502);
    expect((error as GatewayError).message).toBe("an error was encountered while running the model");
  });

  test("a line that is not JSON is skipped with a warning, not fatal", async () => {
    const warnings: string[] = [];
    const logger: Logger = { ...silentLogger, warn: (message) => warnings.push(message) };
    const lines: unknown[] = [...STREAM_LINES];
    lines.splice(2, 0, "{not json");
    const response = collectResponse(eventsOf(await run(ndjson(lines), context({ logger }))));
    expect(response.content).toEqual([
      { type: "text", text: STREAM_LINES.map((line) => line.message.content).join("") },
    ]);
    expect(warnings).toEqual(["skipped an upstream stream line that is not JSON"]);
  });

  test("lines after done:true are ignored with a warning", async () => {
    const warnings: string[] = [];
    const logger: Logger = { ...silentLogger, warn: (message) => warnings.push(message) };
    const frames = await run(ndjson([...STREAM_LINES, STREAM_LINES[0]]), context({ logger }));
    expect(frames).toHaveLength(STREAM_LINES.length);
    expect(warnings).toEqual(["ignored an upstream stream line after done:true"]);
  });

  test("an empty answer (the done line alone) starts, reports usage and finishes, with no block", async () => {
    const done = lastOf(STREAM_LINES);
    const frames = await run(ndjson([done]));
    expect(frames.map((frame) => frame.events)).toEqual([
      [
        { type: "start", id: "chatcmpl-test", model: done.model, created: 1_755_000_000 },
        { type: "usage", usage: usageOf(done) },
        { type: "finish", stopReason: "end_turn" },
      ],
    ]);
  });

  test("a line without a model uses the configured one", async () => {
    const { model: _model, ...line } = lastOf(STREAM_LINES);
    const frames = await run(ndjson([line]));
    expect(frames[0]?.events[0]).toEqual({
      type: "start",
      id: "chatcmpl-test",
      model: "fallback-model",
      created: 1_755_000_000,
    });
  });
});
