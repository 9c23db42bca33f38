// Usage accounting end to end (app in process, an upstream on 127.0.0.1 replaying a recorded OpenAI answer): GET
// /v1/usage per key (an admin key sees all), tokens_per_day budgets (a 429 that names the budget and its reset, in the
// client's dialect), and the lines `aisbf status` prints.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { describeUsage, fetchUsageToday } from "../src/cli/usage-client.ts";
import { type ClientKey, sha256 } from "../src/config/client-keys.ts";
import { silentLogger } from "../src/log/logger.ts";
import { buildGateway, openaiProvider } from "./helpers/gateway.ts";
import { fixture, jsonResponse, type MockUpstream, startMock } from "./helpers/mock-upstream.ts";

const completion = JSON.parse(fixture("openai", "chat-completions-text.json")) as {
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
};
const TOTAL = completion.usage.total_tokens;
const secret = (name: string) => `sk-usage-${name}-0123456789abcdef`;
const key = (name: string, extra: Partial<ClientKey> = {}): ClientKey => ({
  name,
  digest: sha256(secret(name)),
  plaintext: secret(name),
  ...extra,
});
const auth = (name: string) => ({ authorization: `Bearer ${secret(name)}` });

let upstream: MockUpstream;
beforeAll(() => {
  upstream = startMock(() => jsonResponse(completion));
});
afterAll(async () => {
  await upstream.stop();
});

function gateway(clientKeys: ClientKey[]) {
  return buildGateway({
    providers: { mock: openaiProvider("mock", `${upstream.url}/v1`) },
    clientKeys,
    logger: silentLogger,
  });
}
type Gateway = ReturnType<typeof gateway>;

async function chat(gw: Gateway, headers: Record<string, string>, path = "/v1/chat/completions") {
  const body =
    path === "/v1/responses"
      ? { model: "mock/gpt-4o-mini", input: "hi" }
      : { model: "mock/gpt-4o-mini", messages: [{ role: "user", content: "hi" }] };
  const response = await gw.app.request(path, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { response, body: (await response.json()) as Record<string, unknown> };
}

interface UsageBody {
  scope: string;
  key: string | null;
  data: { key: string | null; provider: string; model: string; requests: number; total_tokens: number }[];
  budgets: { key: string; tokens_per_day: number; used_today: number; resets_at: string }[];
}

async function usageOf(gw: Gateway, headers: Record<string, string>, query = ""): Promise<UsageBody> {
  const response = await gw.app.request(`/v1/usage${query}`, { headers });
  expect(response.status).toBe(200);
  return (await response.json()) as UsageBody;
}

describe("GET /v1/usage", () => {
  test("a key sees its own usage; an admin key sees every key's", async () => {
    const gw = gateway([key("alice"), key("bob"), key("ops", { admin: true })]);
    await chat(gw, auth("alice"));
    await chat(gw, auth("alice"));
    await chat(gw, auth("bob"));
    const alice = await usageOf(gw, auth("alice"));
    expect(alice.scope).toBe("key");
    expect(alice.key).toBe("alice");
    expect(alice.data).toEqual([
      expect.objectContaining({
        key: "alice",
        provider: "mock",
        model: "gpt-4o-mini",
        requests: 2,
        total_tokens: 2 * TOTAL,
      }),
    ]);
    const ops = await usageOf(gw, auth("ops"));
    expect(ops.scope).toBe("all");
    expect(ops.data.map((line) => [line.key, line.requests])).toEqual([
      ["alice", 2],
      ["bob", 1],
    ]);
    expect((await gw.app.request("/v1/usage")).status).toBe(401);
    expect((await gw.app.request("/v1/usage?day=today", { headers: auth("ops") })).status).toBe(400);
    expect((await usageOf(gw, auth("ops"), "?day=1999-01-01")).data).toEqual([]);
  });

  test("with client keys off, every line, with no key name", async () => {
    const gw = gateway([]);
    await chat(gw, {});
    const all = await usageOf(gw, {});
    expect(all).toMatchObject({ scope: "all", key: null });
    expect(all.data).toEqual([expect.objectContaining({ key: null, requests: 1, total_tokens: TOTAL })]);
  });
});

describe("tokens_per_day", () => {
  test("past the budget: a 429 naming it and its reset, on every dialect, until midnight UTC", async () => {
    const gw = gateway([key("capped", { tokensPerDay: TOTAL + 1 })]);
    expect((await chat(gw, auth("capped"))).response.status).toBe(200);
    // Under the budget still: this request is served, and crosses it.
    expect((await chat(gw, auth("capped"))).response.status).toBe(200);
    const refused = await chat(gw, auth("capped"));
    expect(refused.response.status).toBe(429);
    const error = (refused.body as { error: { message: string; type: string; code: string } }).error;
    expect(error.type).toBe("rate_limit_error");
    expect(error.code).toBe("token_budget_exceeded");
    expect(error.message).toContain(
      `budget of ${TOTAL + 1} tokens per day (tokens_per_day; ${2 * TOTAL} used today)`,
    );
    const now = Date.now();
    const midnight = Math.ceil(now / 86_400_000) * 86_400_000;
    expect(error.message).toContain(`resets at ${new Date(midnight).toISOString()}`);
    const retryAfter = Number(refused.response.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(86_400);

    const responses = await chat(gw, auth("capped"), "/v1/responses");
    expect(responses.response.status).toBe(429);
    expect(responses.body).toMatchObject({ error: { code: "token_budget_exceeded" } });

    const own = await usageOf(gw, auth("capped"));
    expect(own.budgets).toEqual([
      {
        key: "capped",
        tokens_per_day: TOTAL + 1,
        used_today: 2 * TOTAL,
        resets_at: new Date(midnight).toISOString(),
      },
    ]);
    // Refused requests used nothing.
    expect(own.data[0]?.requests).toBe(2);

    gw.advance(midnight - now + 1000);
    expect((await chat(gw, auth("capped"))).response.status).toBe(200);
  });
});

describe("aisbf status lines", () => {
  test("the top lines by tokens, aligned, key names only", () => {
    const lines = describeUsage(
      [
        { key: "bob", provider: "mock", model: "m", requests: 1, input_tokens: 10, output_tokens: 5 },
        {
          key: "alice",
          provider: "openai",
          model: "gpt-4o",
          requests: 12,
          input_tokens: 2000,
          output_tokens: 1456,
        },
        { key: null, provider: "mock", model: "m", requests: 3, input_tokens: 1, output_tokens: 1 },
      ],
      2,
    );
    expect(lines).toEqual([
      "  usage today (UTC), top 2 of 3:",
      "    alice  openai/gpt-4o  12 requests, 3,456 tokens (2,000 in, 1,456 out)",
      "    bob    mock/m         1 requests, 15 tokens (10 in, 5 out)",
    ]);
    expect(describeUsage([])).toEqual(["  usage today: no requests yet"]);
  });

  test("the server's note comes along when its lines are its own only (state.redis down)", async () => {
    const note = "redis is unavailable: these are this instance's requests only";
    const server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: () => Response.json({ object: "usage", shared: false, note, data: [], budgets: [] }),
    });
    try {
      expect(await fetchUsageToday(`http://127.0.0.1:${server.port}`, Date.now(), 2000, undefined)).toEqual({
        ok: true,
        lines: [],
        note,
      });
    } finally {
      server.stop(true);
    }
  });
});
