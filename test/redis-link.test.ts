// The Redis link against a real redis-server: a slow Redis (stopped with SIGSTOP) costs a call no more than its
// timeout and the link goes local, logged once; it is shared again once Redis answers (SIGCONT).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createLogger } from "../src/log/logger.ts";
import { RedisLink, script } from "../src/state/redis-link.ts";
import { eventually } from "./helpers/instances.ts";
import { haveRedis, startRedis, type TestRedis } from "./helpers/redis-server.ts";

const INCR = script("return redis.call('INCR', KEYS[1])");
const TIMEOUT_MS = 20;

(haveRedis ? describe : describe.skip)("redis link", () => {
  let redis: TestRedis;
  let link: RedisLink;
  const logs: string[] = [];
  beforeAll(async () => {
    redis = await startRedis();
    link = await RedisLink.open({
      url: redis.url,
      prefix: "linktest",
      timeoutMs: TIMEOUT_MS,
      logger: createLogger({ level: "debug", write: (line) => logs.push(line) }),
      clock: () => Date.now(),
    });
    expect(await link.ready(3000)).toBe(true);
  });
  afterAll(async () => {
    process.kill(redis.pid(), "SIGCONT");
    await link?.close();
    await redis?.stop();
  });

  test("a script runs (by its SHA once Redis has it in full from the first NOSCRIPT)", async () => {
    expect(await link.run(INCR, ["linktest:n"], [])).toBe(1);
    expect(await link.run(INCR, ["linktest:n"], [])).toBe(2);
    expect(link.status()).toMatchObject({ backend: "redis", mode: "shared", prefix: "linktest" });
  });

  test("a stalled redis: each call waits at most about its timeout, the link goes local once, and comes back", async () => {
    process.kill(redis.pid(), "SIGSTOP");
    const started = performance.now();
    expect(await link.run(INCR, ["linktest:n"], [])).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + 30);
    // Local now: no more waiting at all.
    const again = performance.now();
    for (let i = 0; i < 50; i++) expect(await link.run(INCR, ["linktest:n"], [])).toBeUndefined();
    expect(performance.now() - again).toBeLessThan(20);
    expect(link.status()).toMatchObject({ mode: "local" });
    expect(logs.filter((line) => line.includes("redis unavailable"))).toHaveLength(1);
    process.kill(redis.pid(), "SIGCONT");
    await eventually(
      "shared again",
      async () => (JSON.stringify(link.status()).includes(`"mode":"shared"`) ? true : undefined),
      5000,
    );
    expect(logs.some((line) => line.includes("redis back"))).toBe(true);
    expect(typeof (await link.run(INCR, ["linktest:n"], []))).toBe("number");
  });
});
