// What sharing state through Redis adds to a request (npm run bench:redis): a local redis-server, a mock upstream
// and two gateways started the same way, one in memory and one with state.redis, both asked by a key with a request
// rate, a token budget and a concurrency limit (so every request makes its one round trip: the key check, which also
// takes a fleet-wide slot; the slot's give-back and the usage count are sent after the answer, not waited for).
// Requests one at a time, the two gateways in alternating rounds; medians and tails of each, and of the key-check
// script alone with ioredis and with Bun's own client. Everything on 127.0.0.1; every process stopped by PID. Prints
// a table; writes nothing.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Redis from "ioredis";

const REPO = join(import.meta.dir, "..");
const ROUNDS = Number(process.env.BENCH_REDIS_ROUNDS ?? 6);
const PER_ROUND = Number(process.env.BENCH_REDIS_REQUESTS ?? 500);
const SECRET = "sk-bench-redis-client-0123456789";
/** Well above this machine's tails: the bench measures the round trip, not the fallback (see README). */
const TIMEOUT_MS = Number(process.env.BENCH_REDIS_TIMEOUT_MS ?? 50);
const children: ReturnType<typeof Bun.spawn>[] = [];

function freePort(): number {
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
  const port = server.port ?? 0;
  server.stop(true);
  return port;
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`bench: ${what} did not come up`);
    await Bun.sleep(50);
  }
}

const pong = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host: "127.0.0.1", port }, () => socket.write("PING\r\n"));
    socket.once("data", (data) => {
      socket.destroy();
      resolve(data.toString().startsWith("+PONG"));
    });
    socket.once("error", () => resolve(false));
  });

async function startRedis(): Promise<string> {
  const port = freePort();
  const dir = mkdtempSync(join(tmpdir(), "aisbf-bench-redis-"));
  children.push(
    Bun.spawn(["redis-server", "--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", ""], {
      stdout: "ignore",
      stderr: "ignore",
    }),
  );
  await until(() => pong(port), "redis-server");
  return `redis://127.0.0.1:${port}/0`;
}

function startUpstream(): string {
  const body = JSON.stringify({
    id: "chatcmpl-bench",
    object: "chat.completion",
    created: 1,
    model: "m",
    choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
    usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 },
  });
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: () => new Response(body, { headers: { "content-type": "application/json" } }),
  });
  return `http://127.0.0.1:${server.port}/v1`;
}

async function startGateway(upstream: string, state: unknown): Promise<string> {
  const dir = join(mkdtempSync(join(tmpdir(), "aisbf-bench-gw-")), "config");
  mkdirSync(dir);
  const provider = { id: "up", name: "up", type: "openai", endpoint: upstream, api_key_required: false };
  writeFileSync(join(dir, "providers.json"), JSON.stringify({ providers: { up: provider } }));
  writeFileSync(join(dir, "rotations.json"), JSON.stringify({ rotations: {} }));
  const key = `sha256:${new Bun.CryptoHasher("sha256").update(SECRET).digest("hex")}`;
  const server = {
    logging: { access: false, level: "warn" },
    // A rate, a budget and a concurrency limit: the key check also takes (and gives back) a fleet-wide slot.
    auth: {
      keys: [
        {
          name: "bench",
          key,
          requests_per_minute: 100_000_000,
          tokens_per_day: 1_000_000_000,
          max_concurrent: 64,
        },
      ],
    },
    ...(state ? { state } : {}),
  };
  writeFileSync(join(dir, "aisbf.json"), JSON.stringify(server));
  const port = freePort();
  children.push(
    Bun.spawn([process.execPath, join(REPO, "src/main.ts"), "serve", "--port", String(port)], {
      env: { ...process.env, AISBF_CONFIG_DIR: dir, HOME: dir },
      stdout: "ignore",
      stderr: "inherit",
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  await until(async () => (await fetch(`${url}/health`)).ok, "gateway");
  return url;
}

const body = JSON.stringify({ model: "up/m", messages: [{ role: "user", content: "hi" }] });
async function oneRequest(url: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${SECRET}` },
    body,
  });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`bench: ${url} answered ${response.status}`);
  return performance.now() - started;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
const summary = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99) };
};
const us = (ms: number) => `${(ms * 1000).toFixed(0)} µs`;

/** The key check alone, as the gateway sends it, with `send` of each client. */
async function scriptRoundTrips(url: string): Promise<{ ioredis: number[]; bun: number[] }> {
  const lua =
    "local b = redis.call('HMGET', KEYS[1], 't', 'a') redis.call('HSET', KEYS[1], 't', '1', 'a', ARGV[1]) return {0}";
  const io = new Redis(url, { enableOfflineQueue: true });
  const bun = new Bun.RedisClient(url);
  await bun.connect();
  const out = { ioredis: [] as number[], bun: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < PER_ROUND; i++) {
      let started = performance.now();
      await io.eval(lua, 1, "bench:k", String(i));
      out.ioredis.push(performance.now() - started);
      started = performance.now();
      await bun.send("EVAL", [lua, "1", "bench:k", String(i)]);
      out.bun.push(performance.now() - started);
    }
  }
  io.disconnect();
  bun.close();
  return out;
}

async function main(): Promise<void> {
  const redisUrl = await startRedis();
  const upstream = startUpstream();
  const memory = await startGateway(upstream, undefined);
  const shared = await startGateway(upstream, { redis: redisUrl, prefix: "bench", timeout_ms: TIMEOUT_MS });
  for (let i = 0; i < 300; i++) {
    await oneRequest(memory);
    await oneRequest(shared);
  }
  const samples = { memory: [] as number[], redis: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    const order: ("memory" | "redis")[] = round % 2 === 0 ? ["memory", "redis"] : ["redis", "memory"];
    for (const which of order) {
      const url = which === "memory" ? memory : shared;
      for (let i = 0; i < PER_ROUND; i++) samples[which].push(await oneRequest(url));
    }
  }
  const scripts = await scriptRoundTrips(redisUrl);
  const rows = [
    ["gateway, state in memory", summary(samples.memory)],
    ["gateway, state.redis (one key check per request)", summary(samples.redis)],
    ["key-check script alone, ioredis", summary(scripts.ioredis)],
    ["key-check script alone, Bun.RedisClient", summary(scripts.bun)],
  ] as const;
  console.log(`\n${ROUNDS} rounds x ${PER_ROUND} requests, one at a time, 127.0.0.1 (Bun ${Bun.version})\n`);
  console.log("| | p50 | p90 | p99 |\n|---|---|---|---|");
  for (const [name, s] of rows) console.log(`| ${name} | ${us(s.p50)} | ${us(s.p90)} | ${us(s.p99)} |`);
  const added = summary(samples.redis).p50 - summary(samples.memory).p50;
  console.log(`\nadded at the median: ${us(added)}`);
  // A fallback to local state during the run would make the redis column a mixture: say so.
  const health = (await (
    await fetch(`${shared}/health`, { headers: { authorization: `Bearer ${SECRET}` } })
  ).json()) as { state?: { mode?: string; since?: string } };
  console.log(
    `state.redis (timeout_ms ${TIMEOUT_MS}) at the end: ${health.state?.mode} since ${health.state?.since}`,
  );
}

try {
  await main();
} finally {
  for (const child of children) child.kill("SIGTERM");
  await Promise.all(children.map((child) => child.exited));
  process.exit(0);
}
