// Replays recorded Ollama NDJSON streams through the shared reader and the chunk translator, field by field.
import { describe, expect, test } from "bun:test";
import type { ChatCompletionChunk } from "../../api/chat.ts";
import { GatewayError } from "../../api/errors.ts";
import { type Logger, silentLogger } from "../../log/logger.ts";
import { readEventStream } from "../event-stream.ts";
import { bodyOf, counterIds as counter, drain, fixtureBytes, fixtureText } from "../testing.ts";
import type { StreamChunk } from "../types.ts";
import { ollamaStreamTransformer, type StreamContext } from "./stream.ts";

const STREAM = fixtureBytes("ollama", "chat-stream-httprr.ndjson");
const LENGTH_STREAM = fixtureBytes("ollama", "chat-default-stream-httprr.ndjson");

function fixtureLines(bytes: Uint8Array): Array<{ message: { content: string } }> {
  return new TextDecoder()
    .decode(bytes)
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line));
}

function context(overrides: Partial<StreamContext> = {}): StreamContext {
  return {
    providerId: "ollama",
    id: "chatcmpl-test",
    created: 1_755_000_000,
    model: "fallback-model",
    includeUsage: false,
    keySource: "caller",
    newId: counter(),
    logger: silentLogger,
    ...overrides,
  };
}

/** Feeds bytes in pieces of `size` (splitting lines and UTF-8 characters) through the reader and the translator. */
async function replay(bytes: Uint8Array, streamContext: StreamContext, size = 97) {
  const translator = ollamaStreamTransformer(streamContext);
  const stream = readEventStream(bodyOf(bytes, { pieceSize: size }), "ndjson", translator, {
    providerId: streamContext.providerId,
    signal: new AbortController().signal,
  });
  const { items, error } = await drain<StreamChunk>(stream);
  return { chunks: items.map((item) => item.chunk), error };
}

async function run(
  bytes: Uint8Array,
  streamContext: StreamContext,
  size = 97,
): Promise<ChatCompletionChunk[]> {
  const { chunks, error } = await replay(bytes, streamContext, size);
  if (error) throw error;
  return chunks;
}

async function runError(bytes: Uint8Array, streamContext: StreamContext = context()): Promise<unknown> {
  const { error } = await replay(bytes, streamContext);
  if (error === undefined) throw new Error("the stream closed normally");
  return error;
}

const text = (chunks: ChatCompletionChunk[]): string =>
  chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("");

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
  test("every line becomes a content chunk, then one finish chunk", async () => {
    const chunks = await run(STREAM, context());
    const lines = fixtureLines(STREAM);
    // 21 content lines; the done line has empty content and only finishes.
    expect(chunks).toHaveLength(lines.length);
    expect(text(chunks)).toBe(lines.map((line) => line.message.content).join(""));
    expect(text(chunks)).toBe("Okay, here we go!\n\n1, 2, 3, 4, 5\n");
    for (const chunk of chunks) {
      expect(chunk.id).toBe("chatcmpl-test");
      expect(chunk.object).toBe("chat.completion.chunk");
      expect(chunk.created).toBe(1_755_000_000);
      expect(chunk.model).toBe("gemma3:1b");
      expect(chunk.choices).toHaveLength(1);
      expect(chunk.choices[0]?.index).toBe(0);
    }
    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: "assistant", content: "Okay" });
    expect(chunks[1]?.choices[0]?.delta).toEqual({ content: "," });
    expect(chunks.slice(0, -1).every((chunk) => chunk.choices[0]?.finish_reason === null)).toBe(true);
    const last = chunks.at(-1);
    expect(last?.choices[0]?.delta).toEqual({});
    expect(last?.choices[0]?.finish_reason).toBe("stop");
    expect(chunks.some((chunk) => chunk.usage)).toBe(false);
  });

  test("with include_usage, one more chunk with no choices carries the counts", async () => {
    const chunks = await run(STREAM, context({ includeUsage: true }));
    const usage = chunks.at(-1);
    expect(usage?.choices).toEqual([]);
    expect(usage?.usage).toEqual({ prompt_tokens: 16, completion_tokens: 22, total_tokens: 38 });
    expect(usage?.id).toBe("chatcmpl-test");
    expect(usage?.model).toBe("gemma3:1b");
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe("stop");
  });

  test("a body cut before the done:true line errors the stream, with no finish_reason", async () => {
    const whole = new TextDecoder().decode(STREAM).trim().split("\n");
    const cut = new TextEncoder().encode(`${whole.slice(0, 10).join("\n")}\n`);
    const { chunks: seen, error } = await replay(cut, context());
    expect(seen).toHaveLength(10);
    expect(seen.every((chunk) => chunk.choices[0]?.finish_reason === null)).toBe(true);
    expect(error).toBeInstanceOf(GatewayError);
    const gatewayError = error as GatewayError;
    expect(gatewayError.status).toBe(502);
    expect(gatewayError.kind).toBe("transient");
    expect(gatewayError.code).toBe("stream_cut");
    expect(gatewayError.message).toContain("cut the stream");
  });
});

describe("chat-default-stream-httprr.ndjson (num_predict reached)", () => {
  test("done_reason length -> finish_reason length; multi-byte text survives any split", async () => {
    for (const size of [1, 3, 64, 4096]) {
      const chunks = await run(LENGTH_STREAM, context({ includeUsage: true }), size);
      expect(text(chunks)).toBe(
        fixtureLines(LENGTH_STREAM)
          .map((line) => line.message.content)
          .join(""),
      );
      expect(text(chunks)).toContain("I’m doing well");
      expect(text(chunks)).toContain("😊");
      expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe("length");
      expect(chunks.at(-1)?.usage).toEqual({ prompt_tokens: 15, completion_tokens: 50, total_tokens: 65 });
    }
  });
});

describe("tool calls, thinking and errors", () => {
  // The streamed tool call line from docs/api.md "Chat request (Streaming with tools)", then its final line.
  const toolStream = new TextEncoder().encode(
    [
      '{"model":"llama3.2","created_at":"2025-07-07T20:22:19.184789Z","message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"get_weather","arguments":{"city":"Tokyo"}}}]},"done":false}',
      '{"model":"llama3.2","created_at":"2025-07-07T20:22:19.19314Z","message":{"role":"assistant","content":""},"done_reason":"stop","done":true,"total_duration":182242375,"load_duration":41295167,"prompt_eval_count":169,"prompt_eval_duration":24573166,"eval_count":15,"eval_duration":115959084}',
      "",
    ].join("\n"),
  );

  test("a done:false line with tool_calls streams as tool_calls deltas and finishes with tool_calls", async () => {
    const chunks = await run(toolStream, context({ includeUsage: true }));
    expect(chunks.map((chunk) => chunk.choices[0]?.delta ?? null)).toEqual([
      {
        role: "assistant",
        tool_calls: [
          { index: 0, id: "call_1", type: "function", function: { name: "get_weather", arguments: "" } },
        ],
      },
      { tool_calls: [{ index: 0, function: { arguments: '{"city":"Tokyo"}' } }] },
      {},
      null,
    ]);
    expect(chunks[2]?.choices[0]?.finish_reason).toBe("tool_calls");
    expect(chunks[3]?.usage).toEqual({ prompt_tokens: 169, completion_tokens: 15, total_tokens: 184 });
  });

  test("the cloud fixture's message as a stream line: thinking, then the call with Ollama's own id", async () => {
    const cloud = JSON.parse(fixtureText("ollama", "chat-tool-call-cloud-httprr.json"));
    const line = new TextEncoder().encode(`${JSON.stringify(cloud)}\n`);
    const chunks = await run(line, context());
    expect(chunks[0]?.choices[0]?.delta).toEqual({
      role: "assistant",
      reasoning_content: "User asks about weather in San Francisco. Use function getWeather.",
    });
    expect(chunks[1]?.choices[0]?.delta.tool_calls).toEqual([
      { index: 0, id: "call_mo1wm122", type: "function", function: { name: "getWeather", arguments: "" } },
    ]);
    expect(chunks[2]?.choices[0]?.delta.tool_calls).toEqual([
      { index: 0, function: { arguments: '{"location":"San Francisco, CA"}' } },
    ]);
    expect(chunks[3]?.choices[0]?.finish_reason).toBe("tool_calls");
    expect(chunks[3]?.model).toBe("gpt-oss:120b");
  });

  test("an in-stream {error} line (docs/api/errors.mdx) errors the stream as transient", async () => {
    const lines = new TextDecoder().decode(STREAM).trim().split("\n").slice(0, 3);
    lines.push('{"error":"an error was encountered while running the model"}');
    const error = await runError(new TextEncoder().encode(lines.join("\n")));
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).kind).toBe("transient");
    expect((error as GatewayError).status).toBe(502);
    expect((error as GatewayError).message).toBe("an error was encountered while running the model");
  });

  test("a line that is not JSON is skipped with a warning, not fatal", async () => {
    const warnings: string[] = [];
    const logger: Logger = { ...silentLogger, warn: (message) => warnings.push(message) };
    const lines = new TextDecoder().decode(STREAM).trim().split("\n");
    lines.splice(2, 0, "{not json");
    const chunks = await run(new TextEncoder().encode(lines.join("\n")), context({ logger }));
    expect(text(chunks)).toBe("Okay, here we go!\n\n1, 2, 3, 4, 5\n");
    expect(warnings).toEqual(["skipped an upstream stream line that is not JSON"]);
  });

  test("an empty answer still opens with the role and closes with a finish_reason", async () => {
    const last = new TextDecoder().decode(STREAM).trim().split("\n").at(-1) ?? "";
    const chunks = await run(new TextEncoder().encode(last), context());
    expect(chunks).toHaveLength(1);
    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: "assistant", content: "" });
    expect(chunks[0]?.choices[0]?.finish_reason).toBe("stop");
  });
});
