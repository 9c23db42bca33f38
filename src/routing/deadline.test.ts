// The stream watchdog (one timer re-armed lazily, nothing per chunk) and the linked abort controller the hot path uses.
import { describe, expect, spyOn, test } from "bun:test";
import { linkedController } from "../providers/abort.ts";
import { createWatchdog } from "./deadline.ts";

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
