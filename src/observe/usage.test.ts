// The in-memory usage store: per UTC day and since start, per key; bounded in days and lines.
import { describe, expect, test } from "bun:test";
import { createMemoryUsageStore, utcDay } from "./usage.ts";

const DAY = 86_400_000;
const JAN_1 = Date.UTC(2026, 0, 1, 12);
const usage = (input: number, output: number, extra: { cached?: number; reasoning?: number } = {}) => ({
  inputTokens: input,
  outputTokens: output,
  ...(extra.cached !== undefined ? { cacheReadTokens: extra.cached } : {}),
  ...(extra.reasoning !== undefined ? { reasoningTokens: extra.reasoning } : {}),
});

describe("usage store", () => {
  test("lines per day, key, provider and model; a key's tokens today; totals since start", () => {
    const store = createMemoryUsageStore();
    store.record("a", "openai", "gpt", usage(10, 5, { cached: 4, reasoning: 2 }), JAN_1);
    store.record("a", "openai", "gpt", usage(1, 1), JAN_1 + 1000);
    store.record("b", "openai", "gpt", usage(100, 100), JAN_1);
    store.record("a", "openai", "gpt", undefined, JAN_1);
    store.record("a", "openai", "gpt", usage(7, 3), JAN_1 + DAY);
    expect(store.tokensOn("a", JAN_1)).toBe(17);
    expect(store.tokensOn("a", JAN_1 + DAY)).toBe(10);
    expect(store.tokensOn("c", JAN_1)).toBe(0);
    expect(store.lines({ key: "a" })).toEqual([
      {
        day: "2026-01-02",
        key: "a",
        provider: "openai",
        model: "gpt",
        requests: 1,
        input: 7,
        output: 3,
        cached: 0,
        reasoning: 0,
      },
      {
        day: "2026-01-01",
        key: "a",
        provider: "openai",
        model: "gpt",
        requests: 3,
        input: 11,
        output: 6,
        cached: 4,
        reasoning: 2,
      },
    ]);
    expect(store.lines({ day: "2026-01-01" }).map((line) => line.key)).toEqual(["b", "a"]);
    expect([...store.totals()].find((line) => line.key === "a")).toMatchObject({ requests: 4, input: 18 });
  });

  test("old days are dropped; a day's lines are bounded, new models counted as other", () => {
    const store = createMemoryUsageStore({ keepDays: 2, maxLines: 2 });
    for (let day = 0; day < 4; day++) store.record("a", "p", "m", usage(1, 1), JAN_1 + day * DAY);
    expect(new Set(store.lines().map((line) => line.day))).toEqual(new Set(["2026-01-03", "2026-01-04"]));
    const bounded = createMemoryUsageStore({ maxLines: 2 });
    for (const model of ["m1", "m2", "m3", "m4"]) bounded.record("a", "p", model, usage(1, 1), JAN_1);
    expect(bounded.lines().map((line) => [line.model, line.requests])).toEqual([
      ["other", 2],
      ["m1", 1],
      ["m2", 1],
    ]);
    expect(bounded.tokensOn("a", JAN_1)).toBe(8);
  });

  test("utcDay: the day's name and when it ends", () => {
    expect(utcDay(Date.UTC(2026, 2, 3, 23, 59, 59))).toEqual({
      day: "2026-03-03",
      endsAt: Date.UTC(2026, 2, 4),
    });
  });
});
