// Three gateway processes on different ports sharing one real redis-server (state.redis): a 429 with Retry-After seen
// by one keeps the other two off that target, and an instance that starts later or rejoins after a split knows it
// too; a key's limit of N a minute admits N across the three; one instance probes a cooled-down target; killing
// Redis in the middle of a load changes nothing a client sees, /health says so, the instances rejoin when it is
// back and put back the cooldowns the restarted Redis lost.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { hashedKeyValue } from "../src/config/client-keys.ts";
import { chat, eventually, type Instance, messages, startInstance } from "./helpers/instances.ts";
import { fixture, jsonResponse, type MockUpstream, startMock } from "./helpers/mock-upstream.ts";
import { haveRedis, startRedis, startRelay, type TestRedis } from "./helpers/redis-server.ts";

const completion = JSON.parse(fixture("openai", "chat-completions-text.json"));
const SECRET = "sk-shared-state-client-0123456789";
const LIMITED_SECRET = "sk-shared-state-limited-0123456789";
const PAIR_SECRET = "sk-shared-state-pair-0123456789";
const METERED_SECRET = "sk-shared-state-metered-0123456789";
const METERED_BUDGET = 1_000_000;
/** The "pair" key's max_concurrent; the "slow" model answers after SLOW_MS. */
const PAIR = 2;
const SLOW_MS = 1500;
const PER_MINUTE = 5;
const auth = (secret = SECRET) => ({ authorization: `Bearer ${secret}` });

let redis: TestRedis;
let upstream: MockUpstream;
let instances: Instance[] = [];
/** What every instance runs on; set once Redis and the upstream are up. */
let config: { providers: unknown; server: { state: Record<string, unknown>; auth: unknown } };
/** Instances a test starts besides the three, stopped after it. */
const extra: Instance[] = [];
/** Another instance on the same config, or on another Redis URL (a relay to the same Redis). */
const startExtra = async (redisUrl?: string) => {
  const server = redisUrl
    ? { ...config.server, state: { ...config.server.state, redis: redisUrl } }
    : config.server;
  const instance = await startInstance({ ...config, server });
  extra.push(instance);
  await eventually("redis shared", async () =>
    (await health(instance)).state.mode === "shared" ? true : undefined,
  );
  return instance;
};
/** The flaky model answers 503 while this holds. */
let flakyDown = true;
/** Requests the upstream got for a model. */
const upstreamCalls = (model: string) =>
  upstream.requests.filter((request) => (request.body as { model?: string }).model === model).length;

interface Usage {
  shared: boolean;
  note?: string;
  data: {
    key: string | null;
    provider: string;
    model: string;
    requests: number;
    input_tokens: number;
    output_tokens: number;
  }[];
  budgets: { key: string; used_today: number }[];
}
const usageOf = async (instance: Instance, secret: string) =>
  (await (await fetch(`${instance.url}/v1/usage`, { headers: auth(secret) })).json()) as Usage;

interface Health {
  targets: Record<string, { state: string; cooldown_until?: string }>;
  state: { backend: string; mode?: string; last_error?: string };
}
const health = async (instance: Instance) =>
  (await (await fetch(`${instance.url}/health`, { headers: auth() })).json()) as Health;

(haveRedis ? describe : describe.skip)("three instances, one redis", () => {
  beforeAll(async () => {
    redis = await startRedis();
    upstream = startMock(async (request) => {
      const model = (request.body as { model?: string }).model;
      if (model?.startsWith("limited")) {
        return jsonResponse({ error: { message: "Rate limit reached", type: "requests" } }, 429, {
          "retry-after": "30",
        });
      }
      if (model === "slow") await Bun.sleep(SLOW_MS);
      if (model === "flaky") {
        if (flakyDown) return jsonResponse({ error: { message: "overloaded", type: "server_error" } }, 503);
        // The probe takes a while: the other instances ask while it is in flight.
        await Bun.sleep(400);
      }
      return jsonResponse({ ...completion, model });
    });
    config = {
      providers: {
        up: {
          id: "up",
          name: "up",
          type: "openai",
          endpoint: `${upstream.url}/v1`,
          api_key_required: true,
          api_key: "sk-shared-upstream-0001",
          failure_threshold: 1,
          cooldown_seconds: 120,
          probe_interval_seconds: 1,
        },
      },
      server: {
        // Generous for a loaded CI machine; the default is 5 ms.
        state: { redis: redis.url, prefix: `t${process.pid}`, timeout_ms: 200 },
        auth: {
          keys: [
            { name: "client", key: hashedKeyValue(SECRET) },
            { name: "limited", key: hashedKeyValue(LIMITED_SECRET), requests_per_minute: PER_MINUTE },
            { name: "pair", key: hashedKeyValue(PAIR_SECRET), max_concurrent: PAIR },
            { name: "metered", key: hashedKeyValue(METERED_SECRET), tokens_per_day: METERED_BUDGET },
          ],
        },
      },
    };
    instances = await Promise.all([startInstance(config), startInstance(config), startInstance(config)]);
    for (const instance of instances) {
      await eventually("redis shared", async () =>
        (await health(instance)).state.mode === "shared" ? true : undefined,
      );
    }
  }, 30_000);

  afterAll(async () => {
    await Promise.all([...instances, ...extra].map((instance) => instance.stop()));
    await upstream?.stop();
    await redis?.stop();
  });

  test("a 429 with Retry-After seen by one instance keeps the other two off that target", async () => {
    const [a, b, c] = instances as [Instance, Instance, Instance];
    const first = await chat(a.url, "up/limited", auth());
    expect(first.status).toBe(429);
    expect(upstreamCalls("limited")).toBe(1);
    for (const other of [b, c]) {
      const seen = await eventually("the cooldown to reach the others", async () => {
        const entry = (await health(other)).targets["up/limited"];
        return entry?.state === "cooling_down" ? entry : undefined;
      });
      // Retry-After 30 s, not the 120 s cooldown of transient failures.
      const left = Date.parse(seen.cooldown_until ?? "") - Date.now();
      expect(left).toBeGreaterThan(20_000);
      expect(left).toBeLessThanOrEqual(30_000);
      const answer = await chat(other.url, "up/limited", auth());
      expect(answer.status).toBe(429);
      expect(Number(answer.headers.get("retry-after"))).toBeGreaterThan(20);
    }
    expect(upstreamCalls("limited")).toBe(1);
  });

  test("an instance started after that 429 loads the cooldown and does not call that upstream", async () => {
    const late = await startExtra();
    const entry = (await health(late)).targets["up/limited"];
    expect(entry?.state).toBe("cooling_down");
    expect(Date.parse(entry?.cooldown_until ?? "") - Date.now()).toBeGreaterThan(15_000);
    const answer = await chat(late.url, "up/limited", auth());
    expect(answer.status).toBe(429);
    expect(Number(answer.headers.get("retry-after"))).toBeGreaterThan(15);
    expect(upstreamCalls("limited")).toBe(1);
  }, 20_000);

  test("an instance cut off from redis while another takes a 429 learns it when it rejoins", async () => {
    const [a] = instances as [Instance, Instance, Instance];
    const relay = startRelay(redis.port);
    try {
      const split = await startExtra(relay.url);
      relay.cut();
      await eventually("the split", async () =>
        (await health(split)).state.mode === "local" ? true : undefined,
      );
      expect((await chat(a.url, "up/limited-split", auth())).status).toBe(429);
      expect(upstreamCalls("limited-split")).toBe(1);
      // The publish went by while it was away.
      await Bun.sleep(200);
      expect((await health(split)).targets["up/limited-split"]).toBeUndefined();
      relay.restore();
      await eventually(
        "the rejoin's load",
        async () =>
          (await health(split)).targets["up/limited-split"]?.state === "cooling_down" ? true : undefined,
        10_000,
      );
      expect((await chat(split.url, "up/limited-split", auth())).status).toBe(429);
      expect(upstreamCalls("limited-split")).toBe(1);
    } finally {
      relay.stop();
    }
  }, 30_000);

  test(`a key's limit of ${PER_MINUTE} a minute admits ${PER_MINUTE} across the three, not ${3 * PER_MINUTE}`, async () => {
    const statuses: number[] = [];
    for (let round = 0; round < 4; round++) {
      for (const instance of instances)
        statuses.push((await chat(instance.url, "up/ok", auth(LIMITED_SECRET))).status);
    }
    expect(statuses.filter((status) => status === 200)).toHaveLength(PER_MINUTE);
    expect(statuses.filter((status) => status === 429)).toHaveLength(12 - PER_MINUTE);
  });

  test(`a key's max_concurrent of ${PAIR} admits ${PAIR} in flight across the three; the others get a 429 in their dialect`, async () => {
    // Two requests to each instance at once, one in OpenAI's dialect and one in Anthropic's.
    const calls = instances.flatMap((instance) => [
      chat(instance.url, "up/slow", auth(PAIR_SECRET)).then((answer) => ({ dialect: "openai", ...answer })),
      messages(instance.url, "up/slow", PAIR_SECRET).then((answer) => ({ dialect: "anthropic", ...answer })),
    ]);
    const answers = await Promise.all(calls);
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(PAIR);
    const refused = answers.filter((answer) => answer.status === 429);
    expect(refused).toHaveLength(6 - PAIR);
    for (const answer of refused) {
      expect(answer.headers.get("retry-after")).toBe("1");
      if (answer.dialect === "openai") {
        expect(answer.body.error).toMatchObject({
          type: "rate_limit_error",
          code: "too_many_concurrent_requests",
        });
      } else {
        expect(answer.body).toMatchObject({ type: "error", error: { type: "rate_limit_error" } });
        expect(String((answer.body.error as { message: string }).message)).toContain(`limit ${PAIR}`);
      }
    }
    // The slots were given back (without waiting): the next ones are admitted, again on any instance.
    await eventually("the slots given back", async () => {
      const again = await Promise.all(
        instances.slice(0, PAIR).map((i) => chat(i.url, "up/ok", auth(PAIR_SECRET))),
      );
      return again.every((answer) => answer.status === 200) ? true : undefined;
    });
  }, 20_000);

  test("requests spread over the three are summed in GET /v1/usage on any one of them", async () => {
    const spread = [2, 3, 1];
    for (const [index, count] of spread.entries()) {
      for (let i = 0; i < count; i++) {
        expect((await chat((instances[index] as Instance).url, "up/ok", auth(METERED_SECRET))).status).toBe(
          200,
        );
      }
    }
    const requests = spread.reduce((sum, count) => sum + count, 0);
    const { prompt_tokens: input, completion_tokens: output } = completion.usage;
    for (const instance of instances) {
      // Counted after each answer, without waiting: soon everywhere.
      const usage = await eventually("the fleet's usage", async () => {
        const read = await usageOf(instance, METERED_SECRET);
        return read.data[0]?.requests === requests ? read : undefined;
      });
      expect(usage.shared).toBe(true);
      expect(usage.note).toBeUndefined();
      expect(usage.data).toEqual([
        expect.objectContaining({
          key: "metered",
          provider: "up",
          model: "ok",
          input_tokens: requests * input,
          output_tokens: requests * output,
        }),
      ]);
      expect(usage.budgets).toEqual([
        expect.objectContaining({ key: "metered", used_today: requests * (input + output) }),
      ]);
    }
  });

  test("a cooled-down target is probed by one instance, and back for all after it", async () => {
    const [a] = instances as [Instance, Instance, Instance];
    expect((await chat(a.url, "up/flaky", auth())).status).toBe(503);
    flakyDown = false;
    for (const instance of instances) {
      await eventually("the cooldown everywhere", async () =>
        (await health(instance)).targets["up/flaky"]?.state === "cooling_down" ? true : undefined,
      );
    }
    // Past the 1 s probe interval every instance may probe; all three are asked at once, twice each.
    await Bun.sleep(1100);
    const before = upstreamCalls("flaky");
    const wave = await Promise.all(
      [...instances, ...instances].map((instance) => chat(instance.url, "up/flaky", auth())),
    );
    expect(upstreamCalls("flaky")).toBe(before + 1);
    expect(wave.filter((answer) => answer.status === 200)).toHaveLength(1);
    for (const instance of instances) {
      await eventually("the recovery everywhere", async () =>
        (await health(instance)).targets["up/flaky"]?.state === "healthy" ? true : undefined,
      );
      expect((await chat(instance.url, "up/flaky", auth())).status).toBe(200);
    }
  });

  test("killing redis in the middle of a load changes nothing a client sees; they rejoin when it is back", async () => {
    const answers: number[] = [];
    let sent = 0;
    const worker = async () => {
      while (sent < 90) {
        const instance = instances[sent % 3] as Instance;
        sent += 1;
        if (sent === 30) await redis.kill();
        const started = performance.now();
        const answer = await chat(instance.url, "up/ok", auth());
        answers.push(answer.status);
        expect(performance.now() - started).toBeLessThan(2000);
      }
    };
    await Promise.all([worker(), worker(), worker()]);
    expect(answers).toHaveLength(90);
    expect(answers.every((status) => status === 200)).toBe(true);
    for (const instance of instances) {
      const state = (await health(instance)).state;
      expect(state.backend).toBe("redis");
      expect(state.mode).toBe("local");
      expect(instance.output()).toContain("redis unavailable");
      // Logged once, not per request.
      expect(instance.output().split("redis unavailable").length - 1).toBe(1);
    }
    // While Redis is away, usage is each instance's own, and says so.
    const alone = await usageOf(instances[0] as Instance, METERED_SECRET);
    expect(alone.shared).toBe(false);
    expect(alone.note).toContain("redis is unavailable");
    expect(alone.data[0]?.requests).toBe(2);
    // While Redis is away, a 429 is known to the instance that took it alone.
    const [a] = instances as [Instance, Instance, Instance];
    expect((await chat(a.url, "up/limited-outage", auth())).status).toBe(429);
    await redis.restart();
    for (const instance of instances) {
      await eventually(
        "the rejoin",
        async () => ((await health(instance)).state.mode === "shared" ? true : undefined),
        10_000,
      );
      expect(instance.output()).toContain("redis back");
    }
    // The restarted Redis is empty: the instance that knew puts the cooldown back, and one that starts now loads it.
    await Bun.sleep(200);
    const late = await startExtra();
    expect((await health(late)).targets["up/limited-outage"]?.state).toBe("cooling_down");
    expect((await chat(late.url, "up/limited-outage", auth())).status).toBe(429);
    expect(upstreamCalls("limited-outage")).toBe(1);
  }, 40_000);
});
