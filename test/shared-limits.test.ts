// A key's fleet-wide concurrency slots in a real redis-server, with a short lease: a slot is held while its
// instance renews it (a long stream), given back without waiting, and lapses when its instance is gone (a crash:
// no give-back, no renewal), so no slot leaks for longer than the lease.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createLogger } from "../src/log/logger.ts";
import { createMemoryUsageStore } from "../src/observe/usage.ts";
import { createMemoryRateLimiter, type RateLimiter } from "../src/server/rate-limit.ts";
import { RedisLink } from "../src/state/redis-link.ts";
import { createSharedRateLimiter } from "../src/state/shared-limits.ts";
import { eventually } from "./helpers/instances.ts";
import { haveRedis, startRedis, type TestRedis } from "./helpers/redis-server.ts";

const LEASE_MS = 300;
const clock = () => Date.now();
const budgets = { usage: createMemoryUsageStore(), clock };
const one = { concurrent: 1 };

(haveRedis ? describe : describe.skip)("fleet-wide concurrency slots", () => {
  let redis: TestRedis;
  const links: RedisLink[] = [];
  let prefix = 0;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await Promise.all(links.map((link) => link.close()));
    await redis?.stop();
  });

  /** Two instances' limiters on one prefix (a fresh one per test). */
  const fleet = async (): Promise<[RateLimiter, RateLimiter, RedisLink]> => {
    prefix += 1;
    const make = async (instance: string) => {
      const link = await RedisLink.open({
        url: redis.url,
        prefix: `slots${prefix}`,
        timeoutMs: 200,
        logger: createLogger({ level: "error", write: () => {} }),
        clock,
      });
      links.push(link);
      expect(await link.ready(3000)).toBe(true);
      const limiter = createSharedRateLimiter(link, createMemoryRateLimiter(clock), {
        instance,
        clock,
        leaseMs: LEASE_MS,
      });
      return { link, limiter };
    };
    const a = await make("a");
    const b = await make("b");
    return [a.limiter, b.limiter, a.link];
  };

  test("a slot is held past its lease while its instance renews it, and free once given back", async () => {
    const [a, b] = await fleet();
    const taken = await a.check("k", one, budgets);
    expect(taken.kind).toBe("allowed");
    if (taken.kind !== "allowed") return;
    expect(taken.release).toBeInstanceOf(Function);
    await Bun.sleep(LEASE_MS * 3);
    expect(await b.check("k", one, budgets)).toEqual({ kind: "too_many_concurrent", limit: 1 });
    taken.release?.();
    await eventually("the slot given back", async () =>
      (await b.check("k", one, budgets)).kind === "allowed" ? true : undefined,
    );
  });

  test("the slot of an instance that is gone (no give-back, no renewal) lapses within the lease", async () => {
    const [a, b, linkOfA] = await fleet();
    expect((await a.check("k", one, budgets)).kind).toBe("allowed");
    await linkOfA.close();
    const gone = performance.now();
    expect((await b.check("k", one, budgets)).kind).toBe("too_many_concurrent");
    await eventually("the lapse", async () =>
      (await b.check("k", one, budgets)).kind === "allowed" ? true : undefined,
    );
    expect(performance.now() - gone).toBeLessThan(LEASE_MS + 200);
  });

  test("a refused request takes nothing: a rate-limited one holds no slot", async () => {
    const [a, b] = await fleet();
    const limits = { concurrent: 2, perMinute: 1 };
    expect((await a.check("k", limits, budgets)).kind).toBe("allowed");
    expect((await b.check("k", limits, budgets)).kind).toBe("rate_limited");
    // One slot held, one free: a request of the same key without the rate (another route's check) gets it.
    expect((await b.check("k", { concurrent: 2 }, budgets)).kind).toBe("allowed");
    expect((await b.check("k", { concurrent: 2 }, budgets)).kind).toBe("too_many_concurrent");
  });
});
