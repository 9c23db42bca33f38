// The stream watchdog (one timer re-armed lazily, nothing per chunk) and the linked abort controller the hot path uses.
import { describe, expect, spyOn, test } from "bun:test";
import { UpstreamTimeoutError } from "../api/errors.ts";
import { linkedController } from "../providers/abort.ts";
import {
  cancelDeadline,
  createWatchdog,
  type Deadline,
  DeadlineExceeded,
  deadlineQueueCount,
  scheduleDeadline,
  timeoutError,
} from "./deadline.ts";

const later = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

describe("createWatchdog", () => {
  test("a limit beyond setTimeout's range neither fires early nor spins", async () => {
    let expiries = 0;
    const timeouts = spyOn(globalThis, "setTimeout");
    const watchdog = createWatchdog(() => expiries++);
    watchdog.start(3_000_000_000);
    await Bun.sleep(100);
    const armed = timeouts.mock.calls.filter(([, ms]) => typeof ms === "number" && ms > 1_000_000).length;
    const spins = timeouts.mock.calls.filter(([, ms]) => ms === 1).length;
    timeouts.mockRestore();
    watchdog.stop();
    expect(expiries).toBe(0);
    expect(armed).toBe(1);
    expect(spins).toBe(0);
  });

  test("waits that end in time do not expire, and the limit runs from each start, not the first", async () => {
    let expiries = 0;
    const watchdog = createWatchdog(() => expiries++);
    for (let i = 0; i < 4; i++) {
      watchdog.start(40);
      await later(15, i);
      expect(watchdog.end()).toBe(false);
    }
    await later(60, 0);
    expect(expiries).toBe(0);
    watchdog.stop();
  });

  test("a wait longer than the limit calls onExpire once, and end() reports it", async () => {
    let expiries = 0;
    const watchdog = createWatchdog(() => expiries++);
    watchdog.start(30);
    await later(5, 0);
    watchdog.end();
    watchdog.start(30);
    await later(120, 0);
    expect(expiries).toBe(1);
    expect(watchdog.end()).toBe(true);
    watchdog.start(30);
    expect(watchdog.end()).toBe(false);
    watchdog.stop();
  });

  test("a shorter limit after a long one fires on time", async () => {
    let expiredAfter = 0;
    const started = performance.now();
    const watchdog = createWatchdog(() => {
      expiredAfter = performance.now() - started;
    });
    watchdog.start(60_000);
    watchdog.end();
    watchdog.start(20);
    await later(150, 0);
    expect(expiredAfter).toBeGreaterThan(15);
    expect(expiredAfter).toBeLessThan(140);
    watchdog.stop();
  });

  test("stop disarms: nothing expires afterwards", async () => {
    let expiries = 0;
    const watchdog = createWatchdog(() => expiries++);
    watchdog.start(10);
    watchdog.stop();
    await later(40, 0);
    expect(expiries).toBe(0);
  });
});

describe("linkedController", () => {
  test("aborts with the parent's reason, and on its own without touching the parent", () => {
    const parent = new AbortController();
    const child = linkedController(parent.signal);
    const own = linkedController(parent.signal);
    own.abort();
    expect(parent.signal.aborted).toBe(false);
    parent.abort("gone");
    expect(child.signal.aborted).toBe(true);
    expect(child.signal.reason).toBe("gone");
  });

  test("starts aborted under an aborted parent", () => {
    const parent = new AbortController();
    parent.abort("early");
    expect(linkedController(parent.signal).signal.reason).toBe("early");
  });
});

describe("shared deadline queue", () => {
  test("deadlines of one duration fire in order; cancelled ones never do", async () => {
    const fired: number[] = [];
    const entries = [];
    for (let i = 0; i < 6; i++) {
      entries.push(scheduleDeadline(40, () => fired.push(i)));
      await later(3, 0);
    }
    cancelDeadline(entries[0] as Deadline);
    cancelDeadline(entries[3] as Deadline);
    await later(80, 0);
    expect(fired).toEqual([1, 2, 4, 5]);
  });

  test("a deadline fires at its own time, not at the time of a cancelled one before it", async () => {
    const first = scheduleDeadline(60, () => {
      throw new Error("cancelled deadline fired");
    });
    await later(40, 0);
    let firedAt = 0;
    const start = performance.now();
    scheduleDeadline(60, () => {
      firedAt = performance.now() - start;
    });
    cancelDeadline(first);
    await later(40, 0);
    expect(firedAt).toBe(0);
    await later(60, 0);
    expect(firedAt).toBeGreaterThanOrEqual(58);
  });

  test("durations are independent, and an emptied queue holds no timer", async () => {
    const fired: string[] = [];
    const clears = spyOn(globalThis, "clearTimeout");
    const long = scheduleDeadline(10_000, () => fired.push("long"));
    scheduleDeadline(20, () => fired.push("short"));
    await later(60, 0);
    expect(fired).toEqual(["short"]);
    cancelDeadline(long);
    expect(clears).toHaveBeenCalledTimes(1);
    clears.mockRestore();
  });

  test("many requests in a row cost one timer each only while their queue was empty", () => {
    const timeouts = spyOn(globalThis, "setTimeout");
    const pending = [scheduleDeadline(300_000, () => {})];
    for (let i = 0; i < 100; i++) cancelDeadline(scheduleDeadline(300_000, () => {}));
    const armed = timeouts.mock.calls.length;
    timeouts.mockRestore();
    cancelDeadline(pending[0] as Deadline);
    expect(armed).toBe(1);
  });

  test("computed remainders share whole-millisecond queues, and emptied queues are dropped", () => {
    const before = deadlineQueueCount();
    const pending = [];
    for (let i = 0; i < 1_000; i++) pending.push(scheduleDeadline(29_996 + Math.random() * 0.9, () => {}));
    expect(deadlineQueueCount() - before).toBeLessThanOrEqual(2);
    for (const deadline of pending) cancelDeadline(deadline);
    expect(deadlineQueueCount()).toBe(before);
  });

  test("a callback that schedules into its own queue does not delay the entries already waiting", async () => {
    const start = performance.now();
    let secondAt = 0;
    // The first fires at 100 and schedules a third (due at 200); the second, due at 150, must not wait for it.
    scheduleDeadline(100, () => {
      scheduleDeadline(100, () => {});
    });
    await later(50, 0);
    scheduleDeadline(100, () => {
      secondAt = performance.now() - start;
    });
    await later(220, 0);
    expect(secondAt).toBeGreaterThanOrEqual(148);
    expect(secondAt).toBeLessThan(185);
  });

  test("timeoutError names the wait by its kind and the limit that applied", () => {
    const error = timeoutError("p", new DeadlineExceeded("first_content", 1234));
    expect(error).toBeInstanceOf(UpstreamTimeoutError);
    expect(error.status).toBe(504);
    expect(error.kind).toBe("silent");
    expect(error.message).toBe("Provider 'p' timed out: first content did not arrive within 1234 ms");
    expect(timeoutError("p", new DeadlineExceeded("headers", 5)).message).toContain("response headers");
  });
});
