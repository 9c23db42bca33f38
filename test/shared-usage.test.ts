// Usage counted in a real redis-server (state/shared-usage.ts): what two instances record reads back summed, line
// for line as the in-memory store counts one instance's (same order, same bound on lines); the day's keys expire
// after the kept days; a stalled Redis costs a read at most its timeout, answered from this instance with a note.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import Redis from "ioredis";
import type { CanonicalUsage } from "../src/canonical/response.ts";
import { createLogger } from "../src/log/logger.ts";
import { createMemoryUsageStore, DAY_MS, type UsageStore, utcDay } from "../src/observe/usage.ts";
import { READ_TIMEOUT_MS, RedisLink } from "../src/state/redis-link.ts";
import { createSharedUsageStore } from "../src/state/shared-usage.ts";
import { eventually } from "./helpers/instances.ts";
import { haveRedis, startRedis, type TestRedis } from "./helpers/redis-server.ts";

const now = Date.now();
const usage = (input: number, output: number): CanonicalUsage => ({
  inputTokens: input,
  outputTokens: output,
  cacheReadTokens: Math.ceil(input / 2),
  reasoningTokens: Math.ceil(output / 3),
});
/** Key, provider, model, tokens and when: two days, two keys, no two lines with the same totals. */
const records: [string, string, string, CanonicalUsage | undefined, number][] = [
  ["a", "openai", "gpt-4o", usage(10, 20), now],
  ["a", "openai", "gpt-4o", usage(5, 1), now],
  ["b", "openai", "gpt-4o", usage(7, 9), now],
  ["a", "anthropic", "claude", usage(100, 3), now],
  ["", "ollama", "llama3", usage(2, 2), now],
  ["a", "openai", "gpt-4o", usage(40, 4), now - DAY_MS],
  ["b", "google", "gemini", undefined, now - DAY_MS],
];

(haveRedis ? describe : describe.skip)("usage shared through redis", () => {
  let redis: TestRedis;
  let direct: Redis;
  const links: RedisLink[] = [];
  let prefix = 0;
  beforeAll(async () => {
    redis = await startRedis();
    direct = new Redis(redis.url);
  });
  afterAll(async () => {
    process.kill(redis.pid(), "SIGCONT");
    direct?.disconnect();
    await Promise.all(links.map((link) => link.close()));
    await redis?.stop();
  });

  /** Two instances' stores on a fresh prefix, with what each counted itself. */
  const fleet = async (options: { maxLines?: number } = {}) => {
    prefix += 1;
    const make = async () => {
      const link = await RedisLink.open({
        url: redis.url,
        prefix: `usage${prefix}`,
        timeoutMs: 200,
        logger: createLogger({ level: "error", write: () => {} }),
        clock: () => Date.now(),
      });
      links.push(link);
      expect(await link.ready(3000)).toBe(true);
      return createSharedUsageStore(link, createMemoryUsageStore(options), options);
    };
    return { stores: [await make(), await make()] as [UsageStore, UsageStore], prefix: `usage${prefix}` };
  };

  /** Waits until what was sent without waiting is there: the given number of requests in the fleet's lines. */
  const settled = (store: UsageStore, requests: number) =>
    eventually("the writes", async () => {
      const report = await store.report({}, now);
      return report.lines.reduce((sum, line) => sum + line.requests, 0) === requests ? report : undefined;
    });

  test("two instances' records read back summed, line for line as one in-memory store counts them", async () => {
    const { stores } = await fleet();
    const whole = createMemoryUsageStore();
    records.forEach((record, index) => {
      (stores[index % 2] as UsageStore).record(...record);
      whole.record(...record);
    });
    const report = await settled(stores[1], records.length);
    expect(report.shared).toBe(true);
    expect(report.note).toBeUndefined();
    expect(report.lines).toEqual(whole.lines());
    for (const filter of [
      { key: "a" },
      { day: utcDay(now - DAY_MS).day },
      { key: "b", day: utcDay(now).day },
    ]) {
      expect((await stores[0].report(filter, now)).lines).toEqual(whole.lines(filter));
    }
    expect(report.usedToday("a")).toBe(whole.tokensOn("a", now));
    expect(report.usedToday("a")).toBe(10 + 20 + 5 + 1 + 100 + 3);
    // Each instance's own lines stay its own (and /metrics with them).
    expect(stores[0].lines().reduce((sum, line) => sum + line.requests, 0)).toBe(4);
  });

  test("past the bound, a new model is counted on its provider's other line, as in memory", async () => {
    const { stores } = await fleet({ maxLines: 2 });
    const whole = createMemoryUsageStore({ maxLines: 2 });
    for (const model of ["m1", "m2", "m3", "m4", "m1"]) {
      const record = ["a", "openai", model, usage(model.length * 3 + Number(model[1]), 5), now] as const;
      stores[0].record(...record);
      whole.record(...record);
    }
    const report = await settled(stores[1], 5);
    expect(report.lines).toEqual(whole.lines());
    expect(report.lines.map((line) => line.model).sort()).toEqual(["m1", "m2", "other"]);
  });

  test("a day's keys expire once the kept days are past", async () => {
    const { stores, prefix } = await fleet();
    stores[0].record("a", "openai", "gpt-4o", usage(1, 1), now);
    await settled(stores[0], 1);
    const { day, endsAt } = utcDay(now);
    const lines = await direct.pexpiretime(`${prefix}:usage:${day}`);
    expect(lines).toBe(endsAt + 30 * DAY_MS);
    expect(await direct.pexpiretime(`${prefix}:tokens:${day}`)).toBe(endsAt + DAY_MS);
  });

  test("a stalled redis: the read waits at most its timeout and answers with this instance's lines and a note", async () => {
    const { stores } = await fleet();
    stores[0].record("a", "openai", "gpt-4o", usage(3, 4), now);
    await settled(stores[1], 1);
    process.kill(redis.pid(), "SIGSTOP");
    try {
      const started = performance.now();
      const report = await stores[0].report({}, now);
      expect(performance.now() - started).toBeLessThan(READ_TIMEOUT_MS + 200);
      expect(report.shared).toBe(false);
      expect(report.note).toContain("redis did not answer in time");
      expect(report.lines).toEqual(stores[0].lines());
      // The other instance counted nothing itself.
      expect((await stores[1].report({}, now)).lines).toEqual([]);
    } finally {
      process.kill(redis.pid(), "SIGCONT");
    }
  });
});
