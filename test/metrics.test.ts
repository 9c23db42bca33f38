// GET /metrics end to end (app in process, upstreams on 127.0.0.1 replaying recorded OpenAI traffic): what each
// metric counts after real requests, health gauges after injected failures, bounded labels, and client auth.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sha256 } from "../src/config/client-keys.ts";
import { silentLogger } from "../src/log/logger.ts";
import { buildGateway, openaiProvider } from "./helpers/gateway.ts";
import {
  fixture,
  jsonResponse,
  type MockUpstream,
  sseEventsOf,
  sseResponse,
  startMock,
} from "./helpers/mock-upstream.ts";

const CLIENT_KEY = "sk-client-metrics-0123456789";
const completion = JSON.parse(fixture("openai", "chat-completions-text.json")) as {
  usage: { prompt_tokens: number; completion_tokens: number };
};
const streamEvents = sseEventsOf(fixture("openai", "chat-completions-stream-include-usage.sse"));
const streamUsage = (
  JSON.parse((streamEvents.findLast((event) => event.includes('"usage":{')) as string).slice(6)) as {
    usage: { prompt_tokens: number; completion_tokens: number };
  }
).usage;

let good: MockUpstream;
let down: MockUpstream;

beforeAll(() => {
  good = startMock((request) =>
    (request.body as { stream?: boolean }).stream ? sseResponse(streamEvents) : jsonResponse(completion),
  );
  down = startMock(() => jsonResponse({ error: { message: "overloaded", type: "server_error" } }, 500));
});

afterAll(async () => {
  await good.stop();
  await down.stop();
});

function gateway(withKeys = false) {
  const clientKeys = withKeys ? [{ name: "team-a", digest: sha256(CLIENT_KEY), plaintext: CLIENT_KEY }] : [];
  return buildGateway({
    providers: {
      mock: openaiProvider("mock", `${good.url}/v1`),
      down: openaiProvider("down", `${down.url}/v1`, { cooldown_seconds: 600 }),
    },
    rotations: {
      pool: {
        strategy: "priority",
        providers: [
          { provider_id: "down", models: [{ name: "gpt-4o-mini", weight: 1 }] },
          { provider_id: "mock", models: [{ name: "gpt-4o-mini", weight: 1 }] },
        ],
      },
    },
    clientKeys,
    logger: silentLogger,
  });
}

type Gateway = ReturnType<typeof gateway>;

async function chat(gw: Gateway, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const response = await gw.app.request("/v1/chat/completions", {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ messages: [{ role: "user", content: "hi" }], ...body }),
  });
  await response.text();
  return response;
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The exposition text's samples (comments skipped). */
function samples(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? "").matchAll(/([a-z_]+)="((?:[^"\\]|\\.)*)"/g)) {
      labels[pair[1] as string] = pair[2] as string;
    }
    out.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return out;
}

async function scrape(gw: Gateway, headers: Record<string, string> = {}) {
  const response = await gw.app.request("/metrics", { headers });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toStartWith("text/plain; version=0.0.4");
  const text = await response.text();
  const all = samples(text);
  const value = (name: string, labels: Record<string, string> = {}) =>
    all
      .filter(
        (sample) =>
          sample.name === name && Object.entries(labels).every(([key, want]) => sample.labels[key] === want),
      )
      .reduce((sum, sample) => sum + sample.value, 0);
  return { text, all, value };
}

describe("GET /metrics", () => {
  test("requests, attempts, retries, failovers, latencies and tokens after real traffic", async () => {
    const gw = gateway();
    await chat(gw, { model: "mock/gpt-4o-mini" });
    await chat(gw, { model: "mock/gpt-4o-mini", stream: true, stream_options: { include_usage: true } });
    await chat(gw, { model: "pool" });
    // Asked directly, the failing provider is retried once, then its error is the answer.
    expect((await chat(gw, { model: "down/gpt-4o-mini" })).status).toBe(500);
    const { value } = await scrape(gw);

    const ok = {
      route: "mock",
      dialect: "openai-chat",
      provider: "mock",
      model: "gpt-4o-mini",
      status: "200",
    };
    expect(value("aisbf_requests_total", ok)).toBe(2);
    expect(value("aisbf_requests_total", { route: "pool", provider: "mock", status: "200" })).toBe(1);
    expect(value("aisbf_requests_total", { route: "down", provider: "down", status: "500" })).toBe(1);
    expect(value("aisbf_upstream_attempts_total", { provider: "mock", result: "ok" })).toBe(3);
    expect(value("aisbf_upstream_attempts_total", { provider: "down", result: "transient" })).toBe(3);
    expect(
      value("aisbf_retries_total", { provider: "down", model: "gpt-4o-mini", reason: "transient" }),
    ).toBe(1);
    expect(
      value("aisbf_failovers_total", {
        from: "down/gpt-4o-mini",
        to: "mock/gpt-4o-mini",
        reason: "transient",
      }),
    ).toBe(1);
    expect(value("aisbf_upstream_latency_seconds_count", { provider: "mock" })).toBe(3);
    expect(value("aisbf_upstream_latency_seconds_count", { provider: "down" })).toBe(3);
    expect(value("aisbf_time_to_first_token_seconds_count", { provider: "mock" })).toBe(1);
    expect(value("aisbf_gateway_overhead_seconds_count", { dialect: "openai-chat" })).toBe(4);
    expect(value("aisbf_request_duration_seconds_count", { route: "mock" })).toBe(2);
    const tokens = { key: "", provider: "mock", model: "gpt-4o-mini" };
    expect(value("aisbf_tokens_total", { ...tokens, type: "input" })).toBe(
      2 * completion.usage.prompt_tokens + streamUsage.prompt_tokens,
    );
    expect(value("aisbf_tokens_total", { ...tokens, type: "output" })).toBe(
      2 * completion.usage.completion_tokens + streamUsage.completion_tokens,
    );
    expect(value("aisbf_tokens_total", { ...tokens, type: "cached" })).toBe(0);
    // The scrape itself is the one request in flight.
    expect(value("aisbf_in_flight_requests")).toBe(1);
    expect(value("aisbf_in_flight_streams")).toBe(0);
    expect(value("aisbf_build_info", { version: "0.0.0-test" })).toBe(1);
  });

  test("a target taken out by failures: its state, consecutive failures and remaining cooldown", async () => {
    const gw = gateway();
    const { value: before } = await scrape(gw);
    expect(before("aisbf_target_state", { provider: "down", model: "gpt-4o-mini", state: "healthy" })).toBe(
      1,
    );
    // Three failed requests through the rotation: the third failure takes the target out.
    for (let index = 0; index < 3; index++) await chat(gw, { model: "pool" });
    const { value } = await scrape(gw);
    const target = { provider: "down", model: "gpt-4o-mini" };
    expect(value("aisbf_target_state", { ...target, state: "cooling_down" })).toBe(1);
    expect(value("aisbf_target_state", { ...target, state: "healthy" })).toBe(0);
    expect(value("aisbf_target_consecutive_failures", target)).toBe(3);
    const remaining = value("aisbf_target_cooldown_remaining_seconds", target);
    expect(remaining).toBeGreaterThan(590);
    expect(remaining).toBeLessThanOrEqual(600);
    expect(value("aisbf_target_state", { provider: "mock", model: "gpt-4o-mini", state: "healthy" })).toBe(1);
  });

  test("model names a client chooses are bounded; no request id or key in any label", async () => {
    const gw = gateway();
    const ids: string[] = [];
    for (let index = 0; index < 60; index++) {
      const response = await chat(gw, { model: `mock/free-text-model-${index}` });
      ids.push(response.headers.get("x-request-id") as string);
    }
    const { text, all } = await scrape(gw);
    const models = new Set(
      all.filter((sample) => sample.name === "aisbf_requests_total").map((sample) => sample.labels.model),
    );
    expect(models.size).toBeLessThanOrEqual(51);
    expect(models.has("other")).toBe(true);
    for (const id of ids) expect(text).not.toContain(id);
  });

  test("with client keys on, only a caller with a valid key may read it; tokens by key name", async () => {
    const gw = gateway(true);
    expect((await gw.app.request("/metrics")).status).toBe(401);
    const auth = { authorization: `Bearer ${CLIENT_KEY}` };
    await chat(gw, { model: "mock/gpt-4o-mini" }, auth);
    const { text, value } = await scrape(gw, auth);
    expect(value("aisbf_tokens_total", { key: "team-a", type: "input" })).toBe(
      completion.usage.prompt_tokens,
    );
    expect(text).not.toContain(CLIENT_KEY);
    expect(text).not.toContain("sk-test-canary-key-0001");
  });
});
