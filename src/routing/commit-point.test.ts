// The commit point in process: what is held back before it, when it is reached, and its one deadline.
import { describe, expect, test } from "bun:test";
import { streamCutError, UpstreamError } from "../api/errors.ts";
import type { StreamFrame } from "../canonical/stream.ts";
import type { PullReader } from "../providers/types.ts";
import { awaitFirstContent } from "./commit-point.ts";
import { DeadlineExceeded } from "./deadline.ts";
import { DEFAULT_DEADLINES } from "./timeouts.ts";

/** A reader over scripted frames: each a frame, a failure, or a wait of `ms` before the next. */
function reader(script: Array<StreamFrame | Error | { waitMs: number }>): PullReader<StreamFrame> {
  let index = 0;
  let cancelled = false;
  return {
    async read() {
      for (;;) {
        if (cancelled) return { done: true };
        const step = script[index++];
        if (step === undefined) return { done: true };
        if (step instanceof Error) throw step;
        if ("waitMs" in step) {
          await Bun.sleep(step.waitMs);
          continue;
        }
        return { done: false, value: step };
      }
    },
    async cancel() {
      cancelled = true;
    },
  };
}

const start: StreamFrame = { events: [{ type: "start", id: "a", model: "m", created: 1 }] };
const emptyText: StreamFrame = {
  events: [
    { type: "block_start", index: 0, block: { type: "text" } },
    { type: "block_delta", index: 0, delta: { type: "text", text: "" } },
  ],
};
const text: StreamFrame = {
  events: [{ type: "block_delta", index: 0, delta: { type: "text", text: "Hi" } }],
};
const finish: StreamFrame = { events: [{ type: "finish", stopReason: "end_turn" }] };

function open(frames: PullReader<StreamFrame>, firstContentMs = 1_000) {
  return awaitFirstContent({
    target: { providerId: "p", model: "m" },
    keySource: "configured",
    reader: frames,
    controller: new AbortController(),
    deadlines: { ...DEFAULT_DEADLINES, firstContentMs },
  });
}

describe("awaitFirstContent", () => {
  test("holds the start and empty frames back, and returns at the first content with all of them queued", async () => {
    const opened = await open(reader([start, emptyText, text, finish]));
    expect(opened.queue).toEqual([start, emptyText, text]);
    expect(opened.completion.complete).toBe(false);
  });

  test("a tool call's start is content: the client sees it", async () => {
    const call: StreamFrame = {
      events: [{ type: "block_start", index: 0, block: { type: "tool_call", id: "c", name: "f" } }],
    };
    expect((await open(reader([start, call]))).queue).toEqual([start, call]);
  });

  test("a complete answer without content is committed as complete", async () => {
    const opened = await open(reader([start, finish]));
    expect(opened.completion.complete).toBe(true);
  });

  test("a stream that ends before any content is a transient cut, never an empty answer", async () => {
    const error = await open(reader([start])).catch((thrown) => thrown);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error.kind).toBe("transient");
  });

  test("a failure before content is the adapter's own error, for the router to fail over on", async () => {
    const cut = streamCutError("p");
    expect(await open(reader([start, cut])).catch((thrown) => thrown)).toBe(cut);
  });

  test("one deadline for the whole wait, however many empty frames come first", async () => {
    const slowEmpty = Array.from({ length: 10 }, () => [{ waitMs: 15 }, emptyText]).flat();
    const error = await open(reader([start, ...slowEmpty, text]), 60).catch((thrown) => thrown);
    expect(error).toBeInstanceOf(DeadlineExceeded);
    expect(error.kind).toBe("first_content");
    expect(error.ms).toBe(60);
  });
});
