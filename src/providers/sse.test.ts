// sseTranslated: one stream doing decode, SSE parse and translation, with TransformStream controller semantics.
import { describe, expect, test } from "bun:test";
import { sseEvents, ssePull, sseTranslated } from "./sse.ts";
import { drain } from "./testing.ts";

const encoder = new TextEncoder();

function body(parts: string[], onCancel?: () => void): ReadableStream<Uint8Array> {
  let index = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const part = parts[index++];
      if (part === undefined) controller.close();
      else controller.enqueue(encoder.encode(part));
    },
    cancel: onCancel,
  });
}

async function collect<T>(stream: ReadableStream<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of stream) out.push(item);
  return out;
}

describe("sseTranslated", () => {
  test("events split across reads and several in one read arrive whole and in order", async () => {
    const events = await collect(sseEvents(body(["data: a\n", "\ndata: b\n\nda", "ta: c\n\n"])));
    expect(events.map((event) => event.data)).toEqual(["a", "b", "c"]);
  });

  test("a multi-byte character split between reads is decoded once", async () => {
    const bytes = encoder.encode("data: é\n\n");
    const split = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, 7));
        controller.enqueue(bytes.slice(7));
        controller.close();
      },
    });
    expect((await collect(sseEvents(split))).map((event) => event.data)).toEqual(["é"]);
  });

  test("terminate ends the output and cancels the body", async () => {
    let cancelled = false;
    const stream = sseTranslated<string>(
      body(["data: a\n\ndata: stop\n\ndata: b\n\n", "data: c\n\n"], () => {
        cancelled = true;
      }),
      {
        transform(event, controller) {
          if (event.data === "stop") controller.terminate();
          else controller.enqueue(event.data);
        },
      },
    );
    expect(await collect(stream)).toEqual(["a"]);
    expect(cancelled).toBe(true);
  });

  test("flush runs at the end of the body and may error the stream", async () => {
    const stream = sseTranslated<string>(body(["data: a\n\n"]), {
      transform(event, controller) {
        controller.enqueue(event.data);
      },
      flush(controller) {
        controller.error(new Error("cut"));
      },
    });
    await expect(collect(stream)).rejects.toThrow("cut");
  });

  test("a transform that throws errors the stream", async () => {
    const stream = sseTranslated<string>(body(["data: a\n\n"]), {
      transform() {
        throw new Error("bad event");
      },
    });
    await expect(collect(stream)).rejects.toThrow("bad event");
  });
});

test("a consumer that cancels while a read is pending gets no flush after it", async () => {
  let flushes = 0;
  // A body that never sends anything: the read stays pending until the cancel.
  const body = new ReadableStream<Uint8Array>({});
  const stream = sseTranslated<string>(body, {
    transform(event, controller) {
      controller.enqueue(event.data);
    },
    flush() {
      flushes += 1;
    },
  });
  const reader = stream.getReader();
  const pending = reader.read();
  await Bun.sleep(10);
  await reader.cancel("client left");
  await pending.catch(() => undefined);
  await Bun.sleep(10);
  expect(flushes).toBe(0);
});

describe("ssePull", () => {
  const upTo = (stop: string) => ({
    transform(event: { data: string }, controller: TransformStreamDefaultController<string>) {
      if (event.data === stop) controller.terminate();
      else if (event.data === "boom") controller.error(new Error("boom"));
      else controller.enqueue(event.data);
    },
  });

  test("items in order, several per read, and done at the end of the body", async () => {
    const reader = ssePull(body(["data: a\n\ndata: b\n\n", "data: c\n\n"]), upTo("never")).getReader();
    expect(await drain({ getReader: () => reader })).toEqual({ items: ["a", "b", "c"] });
    expect(await reader.read()).toEqual({ done: true });
  });

  test("what was enqueued before terminate is still read; the body is cancelled", async () => {
    let cancelled = false;
    const source = body(["data: a\n\ndata: b\n\ndata: stop\n\ndata: c\n\n"], () => {
      cancelled = true;
    });
    expect(await drain(ssePull(source, upTo("stop")))).toEqual({ items: ["a", "b"] });
    expect(cancelled).toBe(true);
  });

  test("an error drops what was not read yet and ends every later read", async () => {
    const reader = ssePull(body(["data: a\n\ndata: boom\n\n"]), upTo("never")).getReader();
    const { items, error } = await drain({ getReader: () => reader });
    expect(items).toEqual([]);
    expect((error as Error).message).toBe("boom");
    await expect(reader.read()).rejects.toThrow("boom");
  });

  test("a flush that throws errors the output for good, as in a TransformStream", async () => {
    const reader = ssePull(body(["data: a\n\n"]), {
      transform(event, controller) {
        controller.enqueue(event.data);
      },
      flush() {
        throw new Error("cut");
      },
    }).getReader();
    expect(await reader.read()).toEqual({ done: false, value: "a" });
    await expect(reader.read()).rejects.toThrow("cut");
    await expect(reader.read()).rejects.toThrow("cut");
  });

  test("cancel ends the output and cancels the body", async () => {
    let cancelled = false;
    const reader = ssePull(
      body(["data: a\n\n", "data: b\n\n"], () => {
        cancelled = true;
      }),
      upTo("never"),
    ).getReader();
    expect(await reader.read()).toEqual({ done: false, value: "a" });
    await reader.cancel("client left");
    expect(await reader.read()).toEqual({ done: true });
    expect(cancelled).toBe(true);
  });
});
