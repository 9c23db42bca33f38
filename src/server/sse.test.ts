import { afterEach, describe, expect, test } from "bun:test";
import type { ChatCompletionChunk } from "../api/chat.ts";
import type { ChunkSource } from "../routing/committed-stream.ts";
import { bunSseWriter } from "../runtime/bun-sse-writer.ts";
import { frame, type SseWriter, standardSseWriter } from "../runtime/sse-writer.ts";
import { toSSE as render } from "./sse.ts";

function chunk(content: string): string {
  const value: ChatCompletionChunk = {
    id: "c1",
    object: "chat.completion.chunk",
    created: 1,
    model: "m",
    choices: [{ index: 0, delta: { content }, finish_reason: null }],
  };
  return JSON.stringify(value);
}

/** A ChunkSource over a script: chunks, then the end or a failure; each next() waits `gapMs`. */
function source(items: string[], options: { fail?: Error; gapMs?: number } = {}) {
  let index = 0;
  const state = { cancelled: false, reads: 0 };
  const chunks: ChunkSource<string> = {
    async next() {
      state.reads += 1;
      if (options.gapMs) await Bun.sleep(options.gapMs);
      if (state.cancelled) return undefined;
      if (index < items.length) return items[index++];
      if (options.fail) throw options.fail;
      return undefined;
    },
    cancel() {
      state.cancelled = true;
    },
  };
  return { chunks, state };
}

const errorEvent = (thrown: unknown) => JSON.stringify({ error: { message: String(thrown) } });
const servers: ReturnType<typeof Bun.serve>[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.stop(true);
});

/** Serves `body` as a response, the way the gateway does, and returns the client's view of it. */
function served(body: () => ReadableStream<Uint8Array>): string {
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: () => new Response(body(), { headers: { "content-type": "text/event-stream" } }),
  });
  servers.push(server);
  return `http://127.0.0.1:${server.port}/`;
}

describe.each([
  ["direct", bunSseWriter],
  ["standard", standardSseWriter],
] as const)("toSSE (%s writer)", (_name, writer: SseWriter) => {
  // The source yields event data; the writer takes framed events, as a dialect's renderer makes them.
  const framed = (chunks: ChunkSource<string>): ChunkSource<string> => ({
    next: async () => {
      const value = await chunks.next();
      return value === undefined ? undefined : frame(value);
    },
    cancel: (reason) => chunks.cancel(reason),
  });
  const toSSE = (chunks: ChunkSource<string>, error: (thrown: unknown) => string, stopping?: AbortSignal) =>
    render(
      framed(chunks),
      { finalEvent: "data: [DONE]\n\n", errorEvent: (thrown) => frame(error(thrown)) },
      { writer, stopping },
    );
  test("writes each chunk as an event, the raw JSON untouched, then [DONE]", async () => {
    const { chunks } = source([chunk("Hel"), chunk("lo")]);
    const text = await (await fetch(served(() => toSSE(chunks, errorEvent)))).text();
    expect(text).toBe(`data: ${chunk("Hel")}\n\ndata: ${chunk("lo")}\n\ndata: [DONE]\n\n`);
  });

  test("a failure after commit ends with an error event and no [DONE]", async () => {
    const { chunks } = source([chunk("Hel")], { fail: new Error("cut") });
    const text = await (await fetch(served(() => toSSE(chunks, errorEvent)))).text();
    expect(text).toBe(`data: ${chunk("Hel")}\n\ndata: ${errorEvent(new Error("cut"))}\n\n`);
    expect(text).not.toContain("[DONE]");
  });

  test("each event reaches the client before the next chunk exists", async () => {
    const { chunks } = source([chunk("a"), chunk("b"), chunk("c")], { gapMs: 150 });
    const response = await fetch(served(() => toSSE(chunks, errorEvent)));
    const reader = response.body!.getReader();
    const started = performance.now();
    const { value } = await reader.read();
    expect(new TextDecoder().decode(value)).toBe(`data: ${chunk("a")}\n\n`);
    // The first chunk is ready after one gap; a buffered writer would hold it until the stream ends (~450 ms).
    expect(performance.now() - started).toBeLessThan(400);
    await reader.cancel();
  });

  test("the server stopping ends an open stream with its error event, no [DONE], and releases the source", async () => {
    const { chunks, state } = source(
      Array.from({ length: 100 }, (_, index) => chunk(String(index))),
      { gapMs: 50 },
    );
    const stopping = new AbortController();
    const response = await fetch(served(() => toSSE(chunks, errorEvent, stopping.signal)));
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = decoder.decode((await reader.read()).value, { stream: true });
    const reason = new Error("shutting down");
    stopping.abort(reason);
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    expect(text).toStartWith(`data: ${chunk("0")}\n\n`);
    expect(text).toEndWith(`data: ${errorEvent(reason)}\n\n`);
    expect(text).not.toContain("[DONE]");
    expect(state.cancelled).toBe(true);
  });

  test("a stream begun after the stop is only its error event", async () => {
    const { chunks, state } = source([chunk("a")]);
    const reason = new Error("shutting down");
    const text = await (
      await fetch(served(() => toSSE(chunks, errorEvent, AbortSignal.abort(reason))))
    ).text();
    expect(text).toBe(`data: ${errorEvent(reason)}\n\n`);
    expect(state.cancelled).toBe(true);
  });

  test("a client that leaves cancels the source, and nothing is read after", async () => {
    const { chunks, state } = source(
      Array.from({ length: 100 }, (_, index) => chunk(String(index))),
      { gapMs: 20 },
    );
    const client = new AbortController();
    const response = await fetch(
      served(() => toSSE(chunks, errorEvent)),
      { signal: client.signal },
    );
    const reader = response.body!.getReader();
    await reader.read();
    client.abort();
    await Bun.sleep(200);
    expect(state.cancelled).toBe(true);
    const reads = state.reads;
    await Bun.sleep(100);
    expect(state.reads).toBe(reads);
    expect(reads).toBeLessThan(100);
  });
});
