// withKeepAlive over a source whose reads the test resolves: pings only into silences after the first event, the
// read a ping answered handed on in order, and one timer per stream, cleared however the stream ends.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import type { ChunkSource } from "../routing/committed-stream.ts";
import { withKeepAlive } from "./keep-alive.ts";

const PING = "event: ping\ndata: {}\n\n";

/** A source whose n-th read resolves when the test says. */
function scripted() {
  const waiting: Array<{ resolve: (value: string | undefined) => void; reject: (error: unknown) => void }> =
    [];
  let reads = 0;
  let cancelled = false;
  const source: ChunkSource<string> = {
    next() {
      reads += 1;
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
    cancel() {
      cancelled = true;
    },
  };
  return {
    source,
    give: (value: string | undefined) => waiting.shift()?.resolve(value),
    fail: (error: unknown) => waiting.shift()?.reject(error),
    reads: () => reads,
    cancelled: () => cancelled,
  };
}

let intervals: number;
let cleared: number;
const realSet = globalThis.setInterval;
const realClear = globalThis.clearInterval;
beforeEach(() => {
  intervals = 0;
  cleared = 0;
  globalThis.setInterval = ((handler: () => void, ms: number) => {
    intervals += 1;
    return realSet(handler, ms);
  }) as typeof setInterval;
  globalThis.clearInterval = ((id: ReturnType<typeof setInterval>) => {
    cleared += 1;
    realClear(id);
  }) as typeof clearInterval;
});
afterEach(() => {
  globalThis.setInterval = realSet;
  globalThis.clearInterval = realClear;
});

describe("withKeepAlive", () => {
  test("no ping before the first event; pings into a silence after it; the late event next, then the end", async () => {
    const upstream = scripted();
    const events = withKeepAlive(upstream.source, { event: PING, everyMs: 20 });
    const first = events.next();
    await Bun.sleep(90);
    upstream.give("event: message_start\n\n");
    expect(await first).toBe("event: message_start\n\n");
    expect(await events.next()).toBe(PING);
    expect(await events.next()).toBe(PING);
    // One upstream read all along: the pings answered the calls, the read stayed pending.
    expect(upstream.reads()).toBe(2);
    const late = events.next();
    upstream.give("event: message_stop\n\n");
    expect(await late).toBe("event: message_stop\n\n");
    const end = events.next();
    upstream.give(undefined);
    expect(await end).toBeUndefined();
    expect([intervals, cleared]).toEqual([1, 1]);
  });

  test("a busy stream gets no ping: something went out within each interval", async () => {
    const upstream = scripted();
    const events = withKeepAlive(upstream.source, { event: PING, everyMs: 40 });
    const seen: Array<string | undefined> = [];
    for (let index = 0; index < 8; index++) {
      const read = events.next();
      setTimeout(() => upstream.give(`event: delta\ndata: ${index}\n\n`), 10);
      seen.push(await read);
    }
    expect(seen.every((event) => event?.startsWith("event: delta"))).toBe(true);
    events.cancel("done");
  });

  test("an error after a ping reaches the next call; cancel clears the timer and cancels the source", async () => {
    const upstream = scripted();
    const events = withKeepAlive(upstream.source, { event: PING, everyMs: 15 });
    const first = events.next();
    upstream.give("event: message_start\n\n");
    await first;
    expect(await events.next()).toBe(PING);
    upstream.fail(new Error("cut"));
    await expect(events.next()).rejects.toThrow("cut");
    expect(cleared).toBe(1);

    const other = scripted();
    const cancelled = withKeepAlive(other.source, { event: PING, everyMs: 15 });
    cancelled.cancel("client left");
    expect(other.cancelled()).toBe(true);
    expect([intervals, cleared]).toEqual([2, 2]);
  });
});
