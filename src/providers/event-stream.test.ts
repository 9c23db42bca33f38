// The one upstream stream reader: SSE and NDJSON framing, TransformStream controller semantics, and the rule for
// what a read rejects with (a cut, the signal's reason, a translator's GatewayError, our own bug).
import { describe, expect, test } from "bun:test";
import { GatewayError } from "../api/errors.ts";
import { type EventSourceMessage, MAX_EVENT_BYTES, readEventStream } from "./event-stream.ts";
import { bodyOf, drain } from "./testing.ts";

const encoder = new TextEncoder();
const live = () => ({ providerId: "p", signal: new AbortController().signal });

/** A body of the given pieces that notes when it is cancelled, and with what. */
function watchedBody(parts: string[]): { body: ReadableStream<Uint8Array>; cancelled: unknown[] } {
  const cancelled: unknown[] = [];
  let index = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const part = parts[index++];
      if (part === undefined) controller.close();
      else controller.enqueue(encoder.encode(part));
    },
    cancel(reason) {
      cancelled.push(reason);
    },
  });
  return { body, cancelled };
}

/** Passes each event's data through; "stop" terminates, "boom" errors, "throw" throws. */
const dataOf = {
  transform(event: EventSourceMessage, controller: TransformStreamDefaultController<string>) {
    if (event.data === "stop") controller.terminate();
    else if (event.data === "boom")
      controller.error(new GatewayError("boom", { status: 502, type: "api_error" }));
    else if (event.data === "throw") throw new Error("a bug");
    else controller.enqueue(event.data);
  },
};

const lines = {
  transform(line: string, controller: TransformStreamDefaultController<string>) {
    controller.enqueue(line);
  },
};

const sse = (body: ReadableStream<Uint8Array>) => readEventStream(body, "sse", dataOf, live());

describe("SSE framing", () => {
  test("events split across reads and several in one read arrive whole and in order", async () => {
    expect(await drain(sse(bodyOf(["data: a\n", "\ndata: b\n\nda", "ta: c\n\n"])))).toEqual({
      items: ["a", "b", "c"],
    });
  });

  test("a multi-byte character split between reads is decoded once; CRLF separators as Gemini sends them", async () => {
    const bytes = encoder.encode("data: é\r\n\r\ndata: ü\r\n\r\n");
    expect(await drain(sse(bodyOf(bytes, { pieceSize: 7 })))).toEqual({ items: ["é", "ü"] });
  });

  test("an event still missing its blank line when the body ends is dropped, as the SSE spec says", async () => {
    expect(await drain(sse(bodyOf("data: a\n\ndata: b")))).toEqual({ items: ["a"] });
  });

  test("an event over the size limit ends the stream as a cut, without reading on", async () => {
    const { body, cancelled } = watchedBody([
      "data: a\n\n",
      `data: ${"x".repeat(MAX_EVENT_BYTES + 10)}`,
      "\n\n",
    ]);
    const { items, error } = await drain(sse(body));
    expect(items).toEqual(["a"]);
    expect(error).toMatchObject({ code: "stream_cut", kind: "transient", status: 502 });
    expect(cancelled).toHaveLength(1);
  });
});

describe("NDJSON framing", () => {
  test("lines split across reads, byte by byte, including multi-byte characters; CRLF and blank lines", async () => {
    const text = '{"a":"é"}\r\n\n{"b":"😊"}\n{"c":3}';
    const stream = readEventStream(bodyOf(encoder.encode(text), { pieceSize: 1 }), "ndjson", lines, live());
    expect(await drain(stream)).toEqual({ items: ['{"a":"é"}', '{"b":"😊"}', '{"c":3}'] });
  });

  test("a line over the size limit ends the stream as a cut", async () => {
    const long = "x".repeat(MAX_EVENT_BYTES + 1);
    const { items, error } = await drain(
      readEventStream(bodyOf(['{"a":1}\n', long]), "ndjson", lines, live()),
    );
    expect(items).toEqual(['{"a":1}']);
    expect(error).toMatchObject({ code: "stream_cut", kind: "transient" });
  });
});

describe("what a read rejects with", () => {
  test("a body that errors mid-read is a cut (streamCutError), after the events read before it", async () => {
    const body = bodyOf(["data: a\n\n", "data: b\n\n"], { failWith: new TypeError("socket closed") });
    const reader = sse(body).getReader();
    const { items, error } = await drain({ getReader: () => reader });
    expect(items).toEqual(["a", "b"]);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ code: "stream_cut", kind: "transient", status: 502 });
    expect((error as Error).cause).toBeInstanceOf(TypeError);
    // Errored for good, as a ReadableStream stays errored.
    await expect(reader.read()).rejects.toBe(error);
  });

  test("once the attempt's signal aborted, the signal's reason, whatever the body failed with", async () => {
    const controller = new AbortController();
    const reason = new Error("deadline");
    const stream = readEventStream(
      bodyOf(["data: a\n\n"], { failWith: new TypeError("aborted") }),
      "sse",
      dataOf,
      {
        providerId: "p",
        signal: controller.signal,
      },
    );
    const reader = stream.getReader();
    expect(await reader.read()).toEqual({ done: false, value: "a" });
    controller.abort(reason);
    await expect(reader.read()).rejects.toBe(reason);
  });

  test("a translator's GatewayError as it is; anything else it throws is an internal GatewayError", async () => {
    const boom = await drain(sse(bodyOf("data: a\n\ndata: boom\n\ndata: b\n\n")));
    // What was translated before the error is read first, however the bytes were split; nothing after it.
    expect(boom.items).toEqual(["a"]);
    expect((boom.error as GatewayError).message).toBe("boom");
    const thrown = await drain(sse(bodyOf("data: throw\n\n")));
    expect(thrown.error).toBeInstanceOf(GatewayError);
    expect(thrown.error).toMatchObject({ status: 500, kind: "internal", code: "internal_error" });
    expect((thrown.error as Error).message).toContain("a bug");
  });

  test("the key is kept out of an error a translator builds from an event", async () => {
    const echo = {
      transform(event: EventSourceMessage, controller: TransformStreamDefaultController<string>) {
        controller.error(
          new GatewayError(`refused ${event.data}`, { status: 401, type: "authentication_error" }),
        );
      },
    };
    const stream = readEventStream(bodyOf("data: sk-secret-key-1234\n\n"), "sse", echo, {
      ...live(),
      apiKey: "sk-secret-key-1234",
    });
    const { error } = await drain(stream);
    expect((error as Error).message).not.toContain("sk-secret-key-1234");
  });

  test("a flush that throws errors the output for good, as in a TransformStream", async () => {
    const reader = readEventStream(
      bodyOf("data: a\n\n"),
      "sse",
      {
        transform(event, controller) {
          controller.enqueue(event.data);
        },
        flush() {
          throw new GatewayError("cut", { status: 502, type: "api_error" });
        },
      },
      live(),
    ).getReader();
    expect(await reader.read()).toEqual({ done: false, value: "a" });
    await expect(reader.read()).rejects.toThrow("cut");
    await expect(reader.read()).rejects.toThrow("cut");
  });

  test("no body at all is an empty body: the translator's flush says whether that is a cut", async () => {
    let flushed = false;
    const stream = readEventStream(null, "sse", { flush: () => void (flushed = true) }, live());
    expect(await drain(stream)).toEqual({ items: [] });
    expect(flushed).toBe(true);
  });
});

describe("TransformStream semantics, pulled", () => {
  test("what was enqueued before terminate is still read; the body is cancelled; no flush", async () => {
    let flushes = 0;
    const { body, cancelled } = watchedBody([
      "data: a\n\ndata: b\n\ndata: stop\n\ndata: c\n\n",
      "data: d\n\n",
    ]);
    const stream = readEventStream(body, "sse", { ...dataOf, flush: () => void flushes++ }, live());
    expect(await drain(stream)).toEqual({ items: ["a", "b"] });
    expect(cancelled).toHaveLength(1);
    expect(flushes).toBe(0);
  });

  test("cancel ends the output and releases the body with the reason", async () => {
    const { body, cancelled } = watchedBody(["data: a\n\n", "data: b\n\n"]);
    const reader = sse(body).getReader();
    expect(await reader.read()).toEqual({ done: false, value: "a" });
    await reader.cancel("client left");
    expect(await reader.read()).toEqual({ done: true });
    expect(cancelled).toEqual(["client left"]);
  });

  test("a consumer that cancels while a read is pending gets done, and no flush after it", async () => {
    let flushes = 0;
    // A body that never sends anything: the read stays pending until the cancel.
    const stream = readEventStream(
      new ReadableStream<Uint8Array>({}),
      "sse",
      { ...dataOf, flush: () => void flushes++ },
      live(),
    );
    const reader = stream.getReader();
    const pending = reader.read();
    await Bun.sleep(10);
    await reader.cancel("client left");
    expect(await pending).toEqual({ done: true });
    await Bun.sleep(10);
    expect(flushes).toBe(0);
  });
});
