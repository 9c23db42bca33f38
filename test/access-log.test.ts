// The access log end to end (app in process, upstreams on 127.0.0.1 replaying recorded OpenAI traffic): one JSON line
// per request with its id (also sent as x-request-id), key name, dialect, route, target, attempts, timings and
// tokens; never a key, a prompt or an answer.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sha256 } from "../src/config/client-keys.ts";
import { createLogger } from "../src/log/logger.ts";
import { configuredSecrets } from "../src/server/deps.ts";
import { buildGateway, openaiProvider } from "./helpers/gateway.ts";
import {
  fixture,
  jsonResponse,
  type MockUpstream,
  sseEventsOf,
  sseResponse,
  startMock,
} from "./helpers/mock-upstream.ts";

const PROMPT = "PROMPT-CANARY-do-not-log";
const CLIENT_KEY = "sk-client-access-log-0123456789";
const completion = JSON.parse(fixture("openai", "chat-completions-text.json")) as {
  usage: { prompt_tokens: number; completion_tokens: number };
  choices: { message: { content: string } }[];
};
const streamEvents = sseEventsOf(fixture("openai", "chat-completions-stream-include-usage.sse"));
const streamUsage = JSON.parse(
  (streamEvents.findLast((event) => event.includes('"usage":{')) as string).replace(/^data: /, ""),
) as { usage: { prompt_tokens: number; completion_tokens: number } };

let good: MockUpstream;
let down: MockUpstream;

beforeAll(() => {
  good = startMock((request) => {
    const body = request.body as { stream?: boolean };
    return body.stream ? sseResponse(streamEvents) : jsonResponse(completion);
  });
  down = startMock(() => jsonResponse({ error: { message: "overloaded", type: "server_error" } }, 500));
});

afterAll(async () => {
  await good.stop();
  await down.stop();
});

function gateway(withKeys = false) {
  const lines: string[] = [];
  const providers = {
    mock: openaiProvider("mock", `${good.url}/v1`),
    down: openaiProvider("down", `${down.url}/v1`),
  };
  const clientKeys = withKeys ? [{ name: "team-a", digest: sha256(CLIENT_KEY), plaintext: CLIENT_KEY }] : [];
  const config = { providers, clientKeys };
  const logger = createLogger({
    level: "debug",
    format: "json",
    write: (line) => lines.push(line),
    secrets: () => configuredSecrets({ ...config, dir: "", rotations: {}, server: {}, warnings: [] }),
  });
  const built = buildGateway({
    providers,
    clientKeys,
    logger,
    random: () => 0,
    rotations: {
      pool: {
        strategy: "priority",
        providers: [
          { provider_id: "down", models: [{ name: "gpt-4o-mini", weight: 1 }] },
          { provider_id: "mock", models: [{ name: "gpt-4o-mini", weight: 1 }] },
        ],
      },
    },
  });
  const requests = () =>
    lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((entry) => entry.msg === "request");
  return { ...built, lines, requests };
}

function chat(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ messages: [{ role: "user", content: PROMPT }], ...body }),
  };
}

describe("access log", () => {
  test("a completion: its id as x-request-id, route, target, one attempt, timings and the recorded usage", async () => {
    const gw = gateway();
    const response = await gw.app.request("/v1/chat/completions", chat({ model: "mock/gpt-4o-mini" }));
    expect(response.status).toBe(200);
    await response.text();
    const [entry, ...rest] = gw.requests();
    expect(rest).toEqual([]);
    const id = response.headers.get("x-request-id");
    expect(id).toMatch(/^[0-9a-f]{12}-[0-9a-z]+$/);
    expect(entry).toMatchObject({
      level: "info",
      request_id: id,
      method: "POST",
      path: "/v1/chat/completions",
      status: 200,
      dialect: "openai-chat",
      route: "mock",
      provider: "mock",
      model: "gpt-4o-mini",
      attempts: 1,
      input_tokens: completion.usage.prompt_tokens,
      output_tokens: completion.usage.completion_tokens,
      cached_tokens: 0,
      reasoning_tokens: 0,
    });
    expect(entry?.key).toBeUndefined();
    expect(entry?.stream).toBeUndefined();
    for (const field of ["duration_ms", "upstream_ms", "overhead_ms"]) expect(entry?.[field]).toBeNumber();
    expect(entry?.upstream_ms as number).toBeLessThanOrEqual(entry?.duration_ms as number);
  });

  test("a stream: its line comes when the stream ends, with first-token time and the usage chunk's tokens", async () => {
    const gw = gateway();
    const response = await gw.app.request(
      "/v1/chat/completions",
      chat({ model: "mock/gpt-4o-mini", stream: true, stream_options: { include_usage: true } }),
    );
    expect(response.headers.get("x-request-id")).toBeString();
    await response.text();
    const [entry] = gw.requests();
    expect(entry).toMatchObject({
      request_id: response.headers.get("x-request-id"),
      status: 200,
      stream: true,
      input_tokens: streamUsage.usage.prompt_tokens,
      output_tokens: streamUsage.usage.completion_tokens,
    });
    expect(entry?.first_token_ms as number).toBeLessThanOrEqual(entry?.duration_ms as number);
  });

  test("a failover in a rotation: the target that answered and every attempt", async () => {
    const gw = gateway();
    const response = await gw.app.request("/v1/chat/completions", chat({ model: "pool" }));
    expect(response.status).toBe(200);
    await response.text();
    const entry = gw.requests()[0];
    expect(entry).toMatchObject({ route: "pool", provider: "mock", attempts: 2 });
  });

  test("the dialect is the request's: a Responses client", async () => {
    const gw = gateway();
    const response = await gw.app.request("/v1/responses", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "mock/gpt-4o-mini", input: PROMPT }),
    });
    expect(response.status).toBe(200);
    await response.text();
    expect(gw.requests()[0]).toMatchObject({ dialect: "openai-responses", path: "/v1/responses" });
  });

  test("with client keys: the key's name, never the key; refusals and unknown paths get a line and an id", async () => {
    const gw = gateway(true);
    const ok = await gw.app.request(
      "/v1/chat/completions",
      chat({ model: "mock/gpt-4o-mini" }, { authorization: `Bearer ${CLIENT_KEY}` }),
    );
    await ok.text();
    const refused = await gw.app.request(
      "/v1/chat/completions",
      chat({ model: "mock/gpt-4o-mini" }, { authorization: "Bearer sk-wrong-key-0123456789" }),
    );
    await refused.text();
    const lost = await gw.app.request("/no/such/path", {
      headers: { authorization: `Bearer ${CLIENT_KEY}` },
    });
    await lost.text();
    const [first, second, third] = gw.requests();
    expect(first).toMatchObject({ status: 200, key: "team-a" });
    expect(second).toMatchObject({ status: 401, error: "invalid_api_key" });
    expect(second?.key).toBeUndefined();
    expect(third).toMatchObject({ status: 404, path: "/no/such/path", key: "team-a", error: "unknown_url" });
    expect(refused.headers.get("x-request-id")).toBe(second?.request_id as string);
    expect(lost.headers.get("x-request-id")).toBe(third?.request_id as string);
    const ids = new Set(gw.requests().map((entry) => entry.request_id));
    expect(ids.size).toBe(3);
    const all = gw.lines.join("\n");
    expect(all).not.toContain(CLIENT_KEY);
    expect(all).not.toContain("sk-wrong-key-0123456789");
    expect(all).not.toContain("sk-test-canary-key-0001");
    expect(all).not.toContain(PROMPT);
    expect(all).not.toContain(completion.choices[0]?.message.content.slice(0, 40) as string);
  });

  test("a failed request: its status, error code and the target whose answer it was", async () => {
    const gw = gateway();
    const response = await gw.app.request("/v1/chat/completions", chat({ model: "down/gpt-4o-mini" }));
    expect(response.status).toBe(500);
    await response.text();
    const entry = gw.requests()[0];
    expect(entry).toMatchObject({ status: 500, provider: "down", route: "down", attempts: 2 });
    expect(entry?.error).toBeString();
  });

  test("health checks are logged at debug; server.logging.access false turns the lines off", async () => {
    const gw = gateway();
    await (await gw.app.request("/health")).text();
    expect(gw.requests()[0]).toMatchObject({ level: "debug", path: "/health", status: 200 });
    const lines: string[] = [];
    const off = buildGateway({
      providers: { mock: openaiProvider("mock", `${good.url}/v1`) },
      server: { logging: { access: false } },
      logger: createLogger({ format: "json", write: (line) => lines.push(line) }),
    });
    const response = await off.app.request("/v1/chat/completions", chat({ model: "mock/gpt-4o-mini" }));
    await response.text();
    expect(response.headers.get("x-request-id")).toBeString();
    expect(lines.filter((line) => line.includes('"msg":"request"'))).toEqual([]);
  });
});
