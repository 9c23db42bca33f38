// Security: client auth on/off with both header forms, allow-lists, rate and concurrency limits, CORS, limits,
// path tricks, the bind refusal, and a canary sweep: configured keys appear in no response and no log line.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type ClientKey, hashedKeyValue, resolveClientKeys, sha256 } from "../src/config/client-keys.ts";
import { bindRefusal, isLoopback } from "../src/server/bind-safety.ts";
import { findClientKey } from "../src/server/middleware/auth.ts";
import { openaiProvider, startGateway, type TestGateway } from "./helpers/gateway.ts";
import {
  fixture,
  jsonResponse,
  type MockUpstream,
  sseEventsOf,
  sseResponse,
  startMock,
} from "./helpers/mock-upstream.ts";

// Shaped like no known key format, so only the configured-secret and caller-token redaction can catch them.
const PROVIDER_CANARY = "gsk_canaryPROVIDERkey0000001111";
const CLIENT_CANARY = "aisbf-canaryCLIENTkey22223333";
const HASHED_CLIENT = "aisbf-canaryHASHEDkey44445555";
const completionText = fixture("openai", "chat-completions-text-httprr.json");
const streamEvents = sseEventsOf(fixture("openai", "chat-completions-stream-include-usage.sse"));

function keysFrom(
  entries: Parameters<typeof resolveClientKeys>[0],
  env: Record<string, string>,
): ClientKey[] {
  const { keys, problems } = resolveClientKeys(entries, env);
  expect(problems).toEqual([]);
  return keys;
}

let upstream: MockUpstream;
let open: TestGateway;
let locked: TestGateway;

beforeAll(() => {
  upstream = startMock((request) => {
    if (request.path.endsWith("/models")) return jsonResponse(fixture("openai", "models-list.json"));
    return jsonResponse(completionText);
  });
  const providers = {
    openai: openaiProvider("openai", `${upstream.url}/v1`, {
      api_key: PROVIDER_CANARY,
      models: [{ name: "gpt-4o-mini" }],
    }),
    other: openaiProvider("other", `${upstream.url}/v1`, { api_key: PROVIDER_CANARY }),
    passthrough: openaiProvider("passthrough", `${upstream.url}/v1`, { api_key: undefined }),
  };
  open = startGateway({ providers });
  locked = startGateway({
    providers,
    rotations: {
      pool: { providers: [{ provider_id: "openai", models: [{ name: "gpt-4o-mini", weight: 1 }] }] },
    },
    clientKeys: keysFrom(
      [
        { name: "full", key: "${TEST_CLIENT_KEY}" },
        { name: "hashed", key: hashedKeyValue(HASHED_CLIENT), allow: ["openai"], requests_per_minute: 2 },
        { name: "models", key: hashedKeyValue("aisbf-models-only-key-0000"), models: ["openai/gpt-4o-mini"] },
        { name: "narrow", key: hashedKeyValue("aisbf-narrow-concurrency-01"), max_concurrent: 1 },
      ],
      { TEST_CLIENT_KEY: CLIENT_CANARY },
    ),
    server: { cors: { origins: ["https://app.example.com"] } },
  });
});

afterAll(async () => {
  await open.stop();
  await locked.stop();
  await upstream.stop();
});

function chatBody(model = "gpt-4o-mini", extra: Record<string, unknown> = {}) {
  return JSON.stringify({ model, messages: [{ role: "user", content: "hi" }], ...extra });
}

async function post(gw: TestGateway, path: string, headers: Record<string, string> = {}, body = chatBody()) {
  return fetch(`${gw.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
}

describe("client authentication", () => {
  test("off: no key needed", async () => {
    expect((await post(open, "/api/openai/chat/completions")).status).toBe(200);
  });

  test("on: a missing key is a 401 in OpenAI's shape that names no key", async () => {
    const response = await post(locked, "/api/openai/chat/completions");
    expect(response.status).toBe(401);
    const body = await response.json();
    expect(body.error.type).toBe("authentication_error");
    expect(JSON.stringify(body)).not.toContain("full");
  });

  test("on: a wrong key is a 401 with the same message for every wrong key", async () => {
    const a = await (
      await post(locked, "/api/openai/chat/completions", { authorization: "Bearer nope" })
    ).json();
    const b = await (
      await post(locked, "/api/openai/chat/completions", { "x-api-key": `${CLIENT_CANARY}x` })
    ).json();
    expect(a.error.message).toBe(b.error.message);
  });

  test("on: accepted as Authorization: Bearer and as x-api-key, env-given and hashed", async () => {
    expect(
      (await post(locked, "/api/openai/chat/completions", { authorization: `Bearer ${CLIENT_CANARY}` }))
        .status,
    ).toBe(200);
    expect((await post(locked, "/api/openai/chat/completions", { "x-api-key": CLIENT_CANARY })).status).toBe(
      200,
    );
    expect((await post(locked, "/api/openai/chat/completions", { "x-api-key": HASHED_CLIENT })).status).toBe(
      200,
    );
  });

  test("on: the caller's bearer is the gateway key and is never forwarded upstream", async () => {
    upstream.requests.length = 0;
    const response = await post(locked, "/api/passthrough/chat/completions", {
      authorization: `Bearer ${CLIENT_CANARY}`,
    });
    expect(response.status).toBe(401);
    expect((await response.json()).error.code).toBe("missing_api_key");
    expect(upstream.requests).toHaveLength(0);
  });

  test("off: the caller's bearer goes to a provider with no configured key", async () => {
    upstream.requests.length = 0;
    await post(open, "/api/passthrough/chat/completions", { authorization: "Bearer caller-token-123456" });
    expect(upstream.requests[0]?.headers.get("authorization")).toBe("Bearer caller-token-123456");
  });

  test("/health stays open for liveness checks; / needs a key", async () => {
    expect((await fetch(`${locked.url}/health`)).status).toBe(200);
    expect((await fetch(`${locked.url}/`)).status).toBe(401);
  });

  test("without a key, an unknown path is a 401 too: no 404 tells a stranger which paths exist", async () => {
    const response = await fetch(`${locked.url}/no/such/path`);
    expect(response.status).toBe(401);
    expect(JSON.stringify(await response.json())).not.toContain("/no/such/path");
    const oversize = await fetch(`${locked.url}/no/such/path`, {
      headers: { "x-padding": "a".repeat(13_000) },
    });
    expect(oversize.status).toBe(431);
  });

  test("keys are compared as SHA-256 digests with a constant-time compare over every key", () => {
    const source = readFileSync(
      join(import.meta.dir, "..", "src", "server", "middleware", "auth.ts"),
      "utf8",
    );
    expect(source).toContain("timingSafeEqual(key.digest, digest)");
    const keys: ClientKey[] = [
      { name: "a", digest: sha256("key-aaaaaaaaaaaaaaaa") },
      { name: "b", digest: sha256("key-bbbbbbbbbbbbbbbb") },
    ];
    expect(findClientKey(keys, "key-bbbbbbbbbbbbbbbb")?.name).toBe("b");
    expect(findClientKey(keys, "key-bbbbbbbbbbbbbbb")).toBeUndefined();
    expect(findClientKey(keys, "")).toBeUndefined();
  });

  test("plaintext keys in aisbf.json are refused; short env keys too", () => {
    expect(resolveClientKeys([{ name: "x", key: "${SHORT}" }], { SHORT: "abc" }).problems[0]).toContain(
      "16 characters",
    );
    expect(resolveClientKeys([{ name: "x", key: "${UNSET_VAR}" }], {}).problems[0]).toContain(
      "UNSET_VAR is not set",
    );
  });
});

describe("per-key permissions and limits", () => {
  test("a key limited to one provider gets 403 elsewhere, with no hint of other keys", async () => {
    const response = await post(locked, "/api/other/chat/completions", { "x-api-key": HASHED_CLIENT });
    expect(response.status).toBe(403);
    expect((await response.json()).error.type).toBe("permission_error");
    expect(
      (await post(locked, "/v1/chat/completions", { "x-api-key": HASHED_CLIENT }, chatBody("pool"))).status,
    ).toBe(403);
  });

  test("a key limited to models gets 403 for another model", async () => {
    const key = { "x-api-key": "aisbf-models-only-key-0000" };
    expect((await post(locked, "/api/openai/chat/completions", key)).status).toBe(200);
    expect((await post(locked, "/api/openai/chat/completions", key, chatBody("gpt-4.1"))).status).toBe(403);
    const models = await (await fetch(`${locked.url}/v1/models`, { headers: key })).json();
    expect(models.data.map((model: { id: string }) => model.id)).toEqual(["openai/gpt-4o-mini"]);
  });

  test("over its requests per minute: 429 with Retry-After", async () => {
    const key = { "x-api-key": HASHED_CLIENT };
    let last: Response | undefined;
    for (let i = 0; i < 4; i++) last = await post(locked, "/api/openai/chat/completions", key);
    expect(last?.status).toBe(429);
    expect(Number(last?.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect((await last?.json()).error.code).toBe("rate_limit_exceeded");
  });

  test("over its concurrent requests: 429 while a stream is open, fine once it ends", async () => {
    upstream.handle(() => sseResponse(streamEvents, { delayMs: 100 }));
    const key = { "x-api-key": "aisbf-narrow-concurrency-01" };
    const first = await post(
      locked,
      "/api/openai/chat/completions",
      key,
      chatBody("gpt-4o-mini", { stream: true }),
    );
    expect(first.status).toBe(200);
    const second = await post(
      locked,
      "/api/openai/chat/completions",
      key,
      chatBody("gpt-4o-mini", { stream: true }),
    );
    expect(second.status).toBe(429);
    await second.text();
    await first.text();
    upstream.handle(() => jsonResponse(completionText));
    expect((await post(locked, "/api/openai/chat/completions", key)).status).toBe(200);
  });
});

describe("safe defaults", () => {
  test("CORS is absent by default", async () => {
    const response = await fetch(`${open.url}/v1/models`, { headers: { origin: "https://evil.example" } });
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    const preflight = await fetch(`${open.url}/v1/chat/completions`, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
  });

  test("CORS is present for the configured origin only", async () => {
    const preflight = await fetch(`${locked.url}/v1/chat/completions`, {
      method: "OPTIONS",
      headers: { origin: "https://app.example.com", "access-control-request-method": "POST" },
    });
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    const other = await fetch(`${locked.url}/health`, { headers: { origin: "https://evil.example" } });
    expect(other.headers.get("access-control-allow-origin")).not.toBe("https://evil.example");
  });

  test("oversize headers: 431", async () => {
    const response = await fetch(`${open.url}/v1/models`, { headers: { "x-padding": "a".repeat(40_000) } });
    expect([431]).toContain(response.status);
  });

  test("binding beyond loopback without client keys is refused, with the override named", () => {
    expect(isLoopback("127.0.0.1")).toBe(true);
    expect(isLoopback("::1")).toBe(true);
    expect(isLoopback("localhost")).toBe(true);
    expect(isLoopback("0.0.0.0")).toBe(false);
    expect(bindRefusal("127.0.0.1", 0, false)).toBeUndefined();
    expect(bindRefusal("0.0.0.0", 0, false)).toContain("--insecure-no-auth");
    expect(bindRefusal("0.0.0.0", 1, false)).toBeUndefined();
    expect(bindRefusal("0.0.0.0", 0, true)).toBeUndefined();
  });

  test("provider ids and models with ../, %2F, CRLF or great length never reach an upstream", async () => {
    upstream.requests.length = 0;
    const paths = [
      "/api/..%2Fadmin/chat/completions",
      "/api/open%2Fai/chat/completions",
      "/api/%0d%0aX/chat/completions",
      `/api/${"a".repeat(5000)}/chat/completions`,
    ];
    for (const path of paths) {
      const response = await post(open, path);
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
    }
    for (const model of [
      "../../v1/admin",
      "a%2Fb/../c",
      "x\r\nHost: evil",
      "m".repeat(5000),
      "openai/../../etc",
    ]) {
      const response = await post(open, "/v1/chat/completions", {}, chatBody(`openai/${model}`));
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
    }
    expect(upstream.requests).toHaveLength(0);
  });

  test("an upstream redirect to another host is not followed", async () => {
    const elsewhere = startMock(() => jsonResponse(completionText));
    const redirecting = startMock(
      () =>
        new Response(null, {
          status: 307,
          headers: { location: `${elsewhere.url.replace("127.0.0.1", "localhost")}/v1/chat/completions` },
        }),
    );
    const gw = startGateway({ providers: { r: openaiProvider("r", `${redirecting.url}/v1`) } });
    try {
      const response = await post(gw, "/api/r/chat/completions");
      expect(response.status).toBe(502);
      expect(elsewhere.requests).toHaveLength(0);
    } finally {
      await gw.stop();
      await redirecting.stop();
      await elsewhere.stop();
    }
  });
});

describe("canaries: no key in any response, header or log line", () => {
  test("every endpoint, error path and log level", async () => {
    const echo = startMock((request) => {
      const auth = request.headers.get("authorization") ?? "";
      if (request.path.endsWith("/models"))
        return jsonResponse({ error: { message: `bad key ${auth.slice(7)}` } }, 401);
      const body = request.body as { model?: string; stream?: boolean };
      if (body.model === "stream-error") {
        const errorEvent = `data: {"error":{"message":"key ${auth.slice(7)} was revoked","code":401}}\n\n`;
        return sseResponse([...streamEvents.slice(0, 3), errorEvent]);
      }
      if (body.model === "ok") return body.stream ? sseResponse(streamEvents) : jsonResponse(completionText);
      return jsonResponse(
        {
          error: {
            message: `Incorrect API key provided: ${auth.slice(7)}`,
            type: "invalid_request_error",
            code: "invalid_api_key",
          },
        },
        401,
      );
    });
    const logs: string[] = [];
    const gw = startGateway({
      providers: {
        echo: openaiProvider("echo", `${echo.url}/v1`, {
          api_key: PROVIDER_CANARY,
          models: [{ name: "ok" }],
        }),
        pass: openaiProvider("pass", `${echo.url}/v1`, { api_key: undefined }),
      },
      rotations: { pool: { providers: [{ provider_id: "echo", models: [{ name: "bad", weight: 1 }] }] } },
    });
    const seen: string[] = [];
    const record = async (response: Response) => {
      seen.push(JSON.stringify([...response.headers.entries()]), await response.text());
    };
    try {
      const headers = { authorization: `Bearer ${CLIENT_CANARY}` };
      await record(await fetch(`${gw.url}/`));
      await record(await fetch(`${gw.url}/health`));
      await record(await fetch(`${gw.url}/v1/models`));
      await record(await fetch(`${gw.url}/api/echo/models`));
      await record(await fetch(`${gw.url}/api/pass/models`, { headers }));
      await record(await post(gw, "/api/echo/chat/completions", {}, chatBody("ok")));
      await record(await post(gw, "/api/echo/chat/completions", {}, chatBody("ok", { stream: true })));
      await record(await post(gw, "/api/echo/chat/completions", {}, chatBody("bad")));
      await record(
        await post(gw, "/api/echo/chat/completions", {}, chatBody("stream-error", { stream: true })),
      );
      await record(await post(gw, "/api/pass/chat/completions", headers, chatBody("bad")));
      await record(
        await post(gw, "/api/pass/chat/completions", headers, chatBody("stream-error", { stream: true })),
      );
      await record(await post(gw, "/v1/chat/completions", headers, chatBody("pool")));
      await record(await post(gw, "/v1/chat/completions", headers, "{bad json"));
      await record(await fetch(`${gw.url}/nowhere`, { headers }));
      await record(await fetch(`${gw.url}/`));
      await record(await fetch(`${gw.url}/health`));
      logs.push(...gw.logs);
    } finally {
      await gw.stop();
      await echo.stop();
    }
    const everything = [...seen, ...logs].join("\n");
    expect(seen.join("").length).toBeGreaterThan(1000);
    expect(logs.length).toBeGreaterThan(0);
    expect(everything).toContain("[redacted]");
    for (const canary of [PROVIDER_CANARY, CLIENT_CANARY, "canaryPROVIDER", "canaryCLIENT"]) {
      expect(everything).not.toContain(canary);
    }
  });
});
