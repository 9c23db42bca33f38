// Rotations, retries, failover and health end to end, against fault-injecting mock upstreams on 127.0.0.1.
// Each test says what the client must see.
import { afterAll, afterEach, describe, expect, test } from "bun:test";
import type { ProviderConfig, RotationConfig } from "../src/config/schema.ts";
import { openaiProvider, startGateway, type TestGateway } from "./helpers/gateway.ts";
import {
  fixture,
  jsonResponse,
  type MockUpstream,
  sseEventsOf,
  sseResponse,
  startMock,
} from "./helpers/mock-upstream.ts";

const completionText = fixture("openai", "chat-completions-text-httprr.json");
const streamEvents = sseEventsOf(fixture("openai", "chat-completions-stream-include-usage.sse"));
/** role, 8 content deltas, finish, usage, [DONE] */
const streamText = streamEvents
  .map((event) => event.replace(/^data: /, "").trim())
  .filter((data) => data !== "[DONE]")
  .map((data) => JSON.parse(data).choices[0]?.delta?.content ?? "")
  .join("");

function completion(model: string, total: number): Response {
  const body = JSON.parse(completionText);
  body.model = model;
  body.usage = { prompt_tokens: total - 1, completion_tokens: 1, total_tokens: total };
  return jsonResponse(body);
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});
afterAll(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

function mock(handler: Parameters<typeof startMock>[0]): MockUpstream {
  const upstream = startMock(handler);
  cleanups.push(() => upstream.stop());
  return upstream;
}

/** A raw TCP upstream: "reset" closes each connection at once, "silent" accepts and never answers. */
function tcpUpstream(mode: "reset" | "silent"): { url: string; connections: () => number } {
  let connections = 0;
  const listener = Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open(socket) {
        connections += 1;
        if (mode === "reset") socket.end();
      },
      data() {},
    },
  });
  cleanups.push(() => listener.stop(true));
  return { url: `http://127.0.0.1:${listener.port}`, connections: () => connections };
}

function gateway(
  providers: Record<string, ProviderConfig>,
  rotations: Record<string, RotationConfig>,
): TestGateway {
  const gw = startGateway({ providers, rotations, random: () => 0 });
  cleanups.push(() => gw.stop());
  return gw;
}

function priority(...members: Array<[string, string]>): RotationConfig {
  return {
    strategy: "priority",
    providers: members.map(([provider, model], index) => ({
      provider_id: provider,
      models: [{ name: model, weight: members.length - index }],
    })),
  };
}

async function chat(gw: TestGateway, name: string, extra: Record<string, unknown> = {}) {
  const response = await fetch(`${gw.url}/api/${name}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: name, messages: [{ role: "user", content: "hi" }], ...extra }),
  });
  return response;
}

/** Reads an SSE body into its data payloads. */
async function events(response: Response): Promise<string[]> {
  const text = await response.text();
  return sseEventsOf(text).map((event) => event.replace(/^data: /, "").trim());
}

/** A continuation's stream: the rest of the text in one chunk, its finish, [DONE] (the recording's chunk shape). */
function continuationOf(rest: string): string[] {
  const template = JSON.parse((streamEvents[1] ?? "").replace(/^data: /, ""));
  const chunk = (delta: Record<string, unknown>, finish: string | null) =>
    `data: ${JSON.stringify({ ...template, usage: undefined, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  return [chunk({ role: "assistant", content: rest }, null), chunk({}, "stop"), "data: [DONE]\n\n"];
}

function contentOf(payloads: string[]): string {
  return payloads
    .filter((data) => data.startsWith("{"))
    .map((data) => JSON.parse(data))
    .map((chunk) => chunk.choices?.[0]?.delta?.content ?? "")
    .join("");
}

describe("rate limits", () => {
  test("429 with a short Retry-After (seconds): waits it and retries the same target", async () => {
    const primary = mock((_request, count) =>
      count === 1
        ? jsonResponse({ error: { message: "slow down" } }, 429, { "retry-after": "1" })
        : completion("primary-model", 10),
    );
    const gw = gateway({ primary: openaiProvider("primary", primary.url) }, {});
    const started = Date.now();
    const response = await chat(gw, "primary", { model: "m" });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-aisbf-attempts")).toBe("2");
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(primary.requests).toHaveLength(2);
  });

  test("429 with a far HTTP-date Retry-After: moves on at once, and the target stays out until then", async () => {
    const later = new Date(Date.now() + 120_000).toUTCString();
    const primary = mock(() =>
      jsonResponse({ error: { message: "slow down" } }, 429, { "retry-after": later }),
    );
    const fallback = mock(() => completion("fallback-model", 20));
    const gw = gateway(
      { primary: openaiProvider("primary", primary.url), fallback: openaiProvider("fallback", fallback.url) },
      { pool: priority(["primary", "p-model"], ["fallback", "f-model"]) },
    );
    const started = Date.now();
    const response = await chat(gw, "pool");
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(900);
    expect(response.headers.get("x-aisbf-provider")).toBe("fallback");
    expect(primary.requests).toHaveLength(1);
    // The next request does not touch the rate-limited primary at all.
    await chat(gw, "pool");
    expect(primary.requests).toHaveLength(1);
    const state = (await (await fetch(`${gw.url}/health`)).json()).targets["primary/p-model"];
    expect(state.state).toBe("cooling_down");
  });

  test("429 without any hint: backs off about 1 s, retries once, then moves on", async () => {
    const primary = mock(() => jsonResponse({ error: { message: "slow down" } }, 429));
    const fallback = mock(() => completion("fallback-model", 20));
    const gw = gateway(
      { primary: openaiProvider("primary", primary.url), fallback: openaiProvider("fallback", fallback.url) },
      { pool: priority(["primary", "p-model"], ["fallback", "f-model"]) },
    );
    const started = Date.now();
    const response = await chat(gw, "pool");
    expect(response.status).toBe(200);
    expect(primary.requests).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(response.headers.get("x-aisbf-attempts")).toBe("3");
  });

  test("every candidate rate limited: 429 with Retry-After and the attempts listed", async () => {
    const a = mock(() => jsonResponse({ error: { message: "a is busy" } }, 429, { "retry-after": "40" }));
    const b = mock(() => jsonResponse({ error: { message: "b is busy" } }, 429, { "retry-after": "90" }));
    const gw = gateway(
      { a: openaiProvider("a", a.url), b: openaiProvider("b", b.url) },
      { pool: priority(["a", "m1"], ["b", "m2"]) },
    );
    const response = await chat(gw, "pool");
    expect(response.status).toBe(429);
    const retryAfter = Number(response.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(39);
    expect(retryAfter).toBeLessThanOrEqual(41);
    const body = await response.json();
    expect(body.error.message).toContain("a/m1: 429 a is busy");
    expect(body.error.message).toContain("b/m2: 429 b is busy");
  });
});

describe("transient failures", () => {
  test("a 500 once, then healthy: served by the same target on the retry", async () => {
    const primary = mock((_request, count) =>
      count === 1 ? jsonResponse({ error: { message: "boom" } }, 500) : completion("primary-model", 10),
    );
    const gw = gateway({ primary: openaiProvider("primary", primary.url) }, {});
    const response = await chat(gw, "primary", { model: "m" });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-aisbf-attempts")).toBe("2");
  });

  test("503 persistent: one attempt on the primary, then at once the fallback answers with its own model and usage", async () => {
    const primary = mock(() => jsonResponse({ error: { message: "unavailable" } }, 503));
    const fallback = mock(() => completion("fallback-model-v2", 42));
    const gw = gateway(
      { primary: openaiProvider("primary", primary.url), fallback: openaiProvider("fallback", fallback.url) },
      { pool: priority(["primary", "p-model"], ["fallback", "f-model"]) },
    );
    const started = performance.now();
    const response = await chat(gw, "pool");
    expect(response.status).toBe(200);
    // With a fallback ready, no backoff on the primary: its retry would only come after every other candidate.
    expect(performance.now() - started).toBeLessThan(450);
    expect(primary.requests).toHaveLength(1);
    expect(response.headers.get("x-aisbf-provider")).toBe("fallback");
    expect(response.headers.get("x-aisbf-model")).toBe("f-model");
    expect(response.headers.get("x-aisbf-attempts")).toBe("2");
    const body = await response.json();
    expect(body.model).toBe("fallback-model-v2");
    expect(body.usage.total_tokens).toBe(42);
    expect((fallback.requests[0]?.body as { model: string }).model).toBe("f-model");
  });

  test("every candidate fails once: the primary's deferred retry answers", async () => {
    const primary = mock((_request, count) =>
      count === 1 ? jsonResponse({ error: { message: "blip" } }, 503) : completion("primary-model", 10),
    );
    const fallback = mock(() => jsonResponse({ error: { message: "down too" } }, 502));
    const gw = gateway(
      { primary: openaiProvider("primary", primary.url), fallback: openaiProvider("fallback", fallback.url) },
      { pool: priority(["primary", "p"], ["fallback", "f"]) },
    );
    const response = await chat(gw, "pool");
    expect(response.status).toBe(200);
    expect(response.headers.get("x-aisbf-provider")).toBe("primary");
    // primary, fallback, then the primary's retry: the fallback's own retry is not needed.
    expect(response.headers.get("x-aisbf-attempts")).toBe("3");
    expect(fallback.requests).toHaveLength(1);
  });

  test("connection reset before headers: failed over at once", async () => {
    const reset = tcpUpstream("reset");
    const fallback = mock(() => completion("fallback-model", 20));
    const gw = gateway(
      { broken: openaiProvider("broken", reset.url), fallback: openaiProvider("fallback", fallback.url) },
      { pool: priority(["broken", "m"], ["fallback", "f"]) },
    );
    const response = await chat(gw, "pool");
    expect(response.status).toBe(200);
    expect(response.headers.get("x-aisbf-provider")).toBe("fallback");
    // The fallback at once: a retry on the broken target would only come if the fallback failed too.
    expect(reset.connections()).toBe(1);
    expect(response.headers.get("x-aisbf-attempts")).toBe("2");
  });

  test("every candidate down: 503 listing each attempt, never a hang", async () => {
    const a = mock(() => jsonResponse({ error: { message: "a down" } }, 503));
    const b = mock(() => jsonResponse({ error: { message: "b down" } }, 502));
    const gw = gateway(
      { a: openaiProvider("a", a.url), b: openaiProvider("b", b.url) },
      { pool: priority(["a", "m1"], ["b", "m2"]) },
    );
    const response = await chat(gw, "pool");
    expect(response.status).toBe(503);
    const body = await response.json();
    expect(body.error.code).toBe("no_provider_available");
    // Neither is cooling down yet (1 failed request of 3), so the client may retry at once.
    expect(response.headers.get("retry-after")).toBe("1");
    expect(body.error.message).toContain("a/m1: 503 a down");
    expect(body.error.message).toContain("b/m2: 502 b down");
  });
});

describe("silent upstreams", () => {
  test("accepts and never answers: no retry, the next candidate answers within the headers deadline", async () => {
    const silent = tcpUpstream("silent");
    const fallback = mock(() => sseResponse(streamEvents));
    const gw = gateway(
      {
        silent: openaiProvider("silent", silent.url, { timeouts: { headers_ms: 300, total_ms: 300 } }),
        fallback: openaiProvider("fallback", fallback.url),
      },
      { pool: priority(["silent", "m"], ["fallback", "f"]) },
    );
    const started = Date.now();
    const response = await chat(gw, "pool", { stream: true });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-aisbf-provider")).toBe("fallback");
    expect(Date.now() - started).toBeLessThan(2000);
    expect(silent.connections()).toBe(1);
  });

  test("a single silent provider is a 504 in OpenAI's shape", async () => {
    const silent = tcpUpstream("silent");
    const gw = gateway({ silent: openaiProvider("silent", silent.url, { timeouts: { total_ms: 300 } }) }, {});
    const response = await chat(gw, "silent", { model: "m" });
    expect(response.status).toBe(504);
    expect((await response.json()).error.code).toBe("upstream_timeout");
  });

  test("headers, then a body that stalls: the whole-answer deadline ends the read and the next candidate answers", async () => {
    // Half a JSON body, then nothing: only the attempt's abort can end the body read.
    const stalling = mock(
      () =>
        new Response(
          new ReadableStream<Uint8Array>({
            start(controller) {
              controller.enqueue(new TextEncoder().encode('{"id":"chatcmpl-1","choices":['));
            },
          }),
          { headers: { "content-type": "application/json" } },
        ),
    );
    const fallback = mock(() => completion("f", 7));
    const gw = gateway(
      {
        stalling: openaiProvider("stalling", stalling.url, { timeouts: { total_ms: 300 } }),
        fallback: openaiProvider("fallback", fallback.url),
      },
      { pool: priority(["stalling", "m"], ["fallback", "f"]) },
    );
    const started = Date.now();
    const response = await chat(gw, "pool", {});
    expect(response.status).toBe(200);
    expect(response.headers.get("x-aisbf-provider")).toBe("fallback");
    expect(Date.now() - started).toBeLessThan(2000);
  });

  test("a first token slower than its deadline: fails over invisibly", async () => {
    const slow = mock(() => sseResponse(streamEvents, { firstDelayMs: 1500 }));
    const fallback = mock(() => sseResponse(streamEvents));
    const gw = gateway(
      {
        slow: openaiProvider("slow", slow.url, { timeouts: { first_content_ms: 300 } }),
        fallback: openaiProvider("fallback", fallback.url),
      },
      { pool: priority(["slow", "m"], ["fallback", "f"]) },
    );
    const response = await chat(gw, "pool", { stream: true });
    expect(response.headers.get("x-aisbf-provider")).toBe("fallback");
    const payloads = await events(response);
    expect(contentOf(payloads)).toBe(streamText);
    expect(payloads.at(-1)).toBe("[DONE]");
    expect(slow.requests).toHaveLength(1);
  });

  test("a slow first token within its deadline is waited for", async () => {
    const slow = mock(() => sseResponse(streamEvents, { firstDelayMs: 400 }));
    const gw = gateway({ slow: openaiProvider("slow", slow.url) }, {});
    const response = await chat(gw, "slow", { model: "m", stream: true });
    expect(contentOf(await events(response))).toBe(streamText);
  });
});

describe("streams after commit", () => {
  test("cut after some content, no continuation: an in-band error event and no [DONE]", async () => {
    const cut = mock(() => sseResponse(streamEvents, { cutAfter: 4 }));
    const gw = gateway({ cut: openaiProvider("cut", cut.url) }, {});
    const response = await chat(gw, "cut", { model: "m", stream: true });
    expect(response.status).toBe(200);
    const payloads = await events(response);
    expect(payloads).not.toContain("[DONE]");
    const last = JSON.parse(payloads.at(-1) ?? "{}");
    expect(last.error.message).toContain("interrupted");
    expect(contentOf(payloads.slice(0, -1)).length).toBeGreaterThan(0);
  });

  test("cut with continuation: a prefill-capable fallback finishes the answer as one stream", async () => {
    const cut = mock(() => sseResponse(streamEvents, { cutAfter: 4 }));
    // As a prefill-capable upstream does: only the rest of the text after the assistant prefill.
    const resume = mock((request) => {
      const sent = request.body as { messages: Array<{ content: string }> };
      return sseResponse(continuationOf(streamText.slice((sent.messages.at(-1)?.content ?? "").length)));
    });
    const gw = gateway(
      {
        cut: openaiProvider("cut", cut.url),
        resume: openaiProvider("resume", resume.url, { supports_prefill: true }),
      },
      { pool: { ...priority(["cut", "m"], ["resume", "r"]), continue_on_cut: true } },
    );
    const response = await chat(gw, "pool", { stream: true });
    const payloads = await events(response);
    expect(payloads.at(-1)).toBe("[DONE]");
    const chunks = payloads.filter((data) => data.startsWith("{")).map((data) => JSON.parse(data));
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
    // The fallback was asked to continue the text already sent, as a final assistant message.
    const sent = resume.requests[0]?.body as { messages: Array<{ role: string; content: string }> };
    const prefill = sent.messages.at(-1);
    expect(prefill?.role).toBe("assistant");
    expect(streamText.startsWith(prefill?.content ?? "x")).toBe(true);
    // The whole answer, once: no text repeated where the continuation joins.
    expect(contentOf(payloads)).toBe(streamText);
  });

  test("cut with continuation where the first fallback rejects the prefill: the next capable one continues", async () => {
    const cut = mock(() => sseResponse(streamEvents, { cutAfter: 4 }));
    const rejects = mock(() => jsonResponse({ error: { message: "prefill not supported" } }, 400));
    const resume = mock(() => sseResponse(streamEvents));
    const gw = gateway(
      {
        cut: openaiProvider("cut", cut.url),
        rejects: openaiProvider("rejects", rejects.url, { supports_prefill: true }),
        resume: openaiProvider("resume", resume.url, { supports_prefill: true }),
      },
      { pool: { ...priority(["cut", "m"], ["rejects", "x"], ["resume", "r"]), continue_on_cut: true } },
    );
    const payloads = await events(await chat(gw, "pool", { stream: true }));
    expect(payloads.at(-1)).toBe("[DONE]");
    expect(rejects.requests).toHaveLength(1);
    expect(resume.requests).toHaveLength(1);
  });

  test("a stream that stalls after content: ends with an error event once the idle deadline passes", async () => {
    const stall = mock(() => sseResponse(streamEvents, { stallAfter: 4 }));
    const gw = gateway({ stall: openaiProvider("stall", stall.url, { timeouts: { idle_ms: 300 } }) }, {});
    const started = Date.now();
    const payloads = await events(await chat(gw, "stall", { model: "m", stream: true }));
    expect(Date.now() - started).toBeLessThan(3000);
    expect(payloads).not.toContain("[DONE]");
    expect(JSON.parse(payloads.at(-1) ?? "{}").error.code).toBe("upstream_timeout");
  });

  test("a malformed event mid-stream is skipped; the answer completes", async () => {
    const withJunk = [...streamEvents.slice(0, 3), "data: {not json\n\n", ...streamEvents.slice(3)];
    const upstream = mock(() => sseResponse(withJunk));
    const gw = gateway({ up: openaiProvider("up", upstream.url) }, {});
    const payloads = await events(await chat(gw, "up", { model: "m", stream: true }));
    expect(contentOf(payloads)).toBe(streamText);
    expect(payloads.at(-1)).toBe("[DONE]");
    expect(gw.logs.some((line) => line.includes("not JSON"))).toBe(true);
  });

  test("a stream with finish_reason but no [DONE] is complete: the client gets [DONE]", async () => {
    const upstream = mock(() => sseResponse(streamEvents.filter((event) => !event.includes("[DONE]"))));
    const gw = gateway({ up: openaiProvider("up", upstream.url) }, {});
    const payloads = await events(await chat(gw, "up", { model: "m", stream: true }));
    expect(contentOf(payloads)).toBe(streamText);
    expect(payloads.at(-1)).toBe("[DONE]");
  });

  test("an upstream that never closes after finish_reason is finished promptly", async () => {
    const upstream = mock(() => sseResponse(streamEvents, { stallAfter: streamEvents.length - 1 }));
    const gw = gateway({ up: openaiProvider("up", upstream.url) }, {});
    const started = Date.now();
    const payloads = await events(await chat(gw, "up", { model: "m", stream: true }));
    expect(payloads.at(-1)).toBe("[DONE]");
    expect(Date.now() - started).toBeLessThan(4000);
  });
});

describe("client errors", () => {
  test("a context-length error moves on without resending to the same model", async () => {
    const small = mock(() =>
      jsonResponse(
        {
          error: {
            message: "This model's maximum context length is 8192 tokens.",
            type: "invalid_request_error",
            code: "context_length_exceeded",
            param: "messages",
          },
        },
        400,
      ),
    );
    const large = mock(() => completion("large-model", 99));
    const gw = gateway(
      { small: openaiProvider("small", small.url), large: openaiProvider("large", large.url) },
      { pool: priority(["small", "s"], ["large", "l"]) },
    );
    const response = await chat(gw, "pool");
    expect(response.status).toBe(200);
    expect(response.headers.get("x-aisbf-provider")).toBe("large");
    expect(small.requests).toHaveLength(1);
  });

  test("a model that cannot take tools: the next candidate serves, the first stays healthy", async () => {
    const noTools = mock(() =>
      jsonResponse({ error: "registry.ollama.ai/library/gemma3:1b does not support tools" }, 400),
    );
    const capable = mock(() => completion("capable", 7));
    const gw = gateway(
      {
        local: { id: "local", name: "local", type: "ollama", endpoint: noTools.url, api_key_required: false },
        capable: openaiProvider("capable", capable.url),
      },
      { pool: priority(["local", "gemma3:1b"], ["capable", "c"]) },
    );
    const tools = [{ type: "function", function: { name: "f", parameters: { type: "object" } } }];
    const response = await chat(gw, "pool", { tools });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-aisbf-provider")).toBe("capable");
    expect(noTools.requests).toHaveLength(1);
    const health = await (await fetch(`${gw.url}/health`)).json();
    expect(health.targets["local/gemma3:1b"]).toBeUndefined();
  });

  test("a content-filter rejection is returned as is: no retry, no failover", async () => {
    const filtered = mock(() =>
      jsonResponse(
        {
          error: {
            message: "Your request was rejected by the safety system.",
            type: "invalid_request_error",
            code: "content_policy_violation",
            param: null,
          },
        },
        400,
      ),
    );
    const other = mock(() => completion("other", 1));
    const gw = gateway(
      { filtered: openaiProvider("filtered", filtered.url), other: openaiProvider("other", other.url) },
      { pool: priority(["filtered", "f"], ["other", "o"]) },
    );
    const response = await chat(gw, "pool");
    expect(response.status).toBe(400);
    expect((await response.json()).error.message).toContain("safety system");
    expect(filtered.requests).toHaveLength(1);
    expect(other.requests).toHaveLength(0);
  });

  test("a 404 model in a rotation: moves on and disables that member", async () => {
    const wrong = mock(() =>
      jsonResponse(JSON.parse(fixture("openai", "error-404-model-not-found.json")), 404),
    );
    const right = mock(() => completion("right", 5));
    const gw = gateway(
      { wrong: openaiProvider("wrong", wrong.url), right: openaiProvider("right", right.url) },
      { pool: priority(["wrong", "gpt-5.2-proo"], ["right", "r"]) },
    );
    expect((await chat(gw, "pool")).headers.get("x-aisbf-provider")).toBe("right");
    await chat(gw, "pool");
    expect(wrong.requests).toHaveLength(1);
    const health = await (await fetch(`${gw.url}/health`)).json();
    expect(health.targets["wrong/gpt-5.2-proo"].state).toBe("disabled");
  });
});

describe("health over time", () => {
  test("a primary down for a while: the fallback serves, then the primary is back after its cooldown", async () => {
    let primaryUp = false;
    const primary = mock(() =>
      primaryUp ? completion("primary-model", 10) : jsonResponse({ error: { message: "down" } }, 503),
    );
    const fallback = mock(() => completion("fallback-model", 20));
    const gw = gateway(
      {
        primary: openaiProvider("primary", primary.url, { failure_threshold: 2, cooldown_seconds: 60 }),
        fallback: openaiProvider("fallback", fallback.url),
      },
      { pool: priority(["primary", "p"], ["fallback", "f"]) },
    );
    for (let i = 0; i < 2; i++)
      expect((await chat(gw, "pool")).headers.get("x-aisbf-provider")).toBe("fallback");
    const triedWhileDown = primary.requests.length;
    // Cooling down: the primary is not asked at all.
    expect((await chat(gw, "pool")).headers.get("x-aisbf-provider")).toBe("fallback");
    expect(primary.requests.length).toBe(triedWhileDown);
    const health = await (await fetch(`${gw.url}/health`)).json();
    expect(health.targets["primary/p"].state).toBe("cooling_down");
    expect(health.targets["primary/p"].last_error.status).toBe(503);
    primaryUp = true;
    gw.advance(61_000);
    const back = await chat(gw, "pool");
    expect(back.headers.get("x-aisbf-provider")).toBe("primary");
    expect((await back.json()).model).toBe("primary-model");
  }, 15_000);

  test("everything cooling down: 503 at once with Retry-After for the first comeback", async () => {
    const down = mock(() => jsonResponse({ error: { message: "down" } }, 503));
    const gw = gateway(
      {
        down: openaiProvider("down", down.url, {
          failure_threshold: 1,
          cooldown_seconds: 120,
          // No probe before the cooldown ends: the first comeback is then the cooldown's end.
          probe_interval_seconds: 600,
        }),
      },
      { pool: priority(["down", "d"]) },
    );
    expect((await chat(gw, "pool")).status).toBe(503);
    const before = down.requests.length;
    const response = await chat(gw, "pool");
    expect(response.status).toBe(503);
    expect(down.requests.length).toBe(before);
    const retryAfter = Number(response.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(100);
    expect(retryAfter).toBeLessThanOrEqual(120);
    expect((await response.json()).error.message).toContain("cooling down");
  });
});

describe("streaming failover before the commit point", () => {
  test("429 with a short Retry-After, streamed: retried on the same target, one whole stream", async () => {
    const primary = mock((_request, count) =>
      count === 1
        ? jsonResponse({ error: { message: "slow down" } }, 429, { "retry-after": "1" })
        : sseResponse(streamEvents),
    );
    const gw = gateway({ primary: openaiProvider("primary", primary.url) }, {});
    const response = await chat(gw, "primary", { model: "m", stream: true });
    expect(response.headers.get("x-aisbf-attempts")).toBe("2");
    const payloads = await events(response);
    expect(contentOf(payloads)).toBe(streamText);
    expect(payloads.at(-1)).toBe("[DONE]");
  });

  test("a 500 before any content, streamed: the client sees only the retry's stream", async () => {
    const primary = mock((_request, count) =>
      count === 1 ? jsonResponse({ error: { message: "boom" } }, 500) : sseResponse(streamEvents),
    );
    const gw = gateway({ primary: openaiProvider("primary", primary.url) }, {});
    const payloads = await events(await chat(gw, "primary", { model: "m", stream: true }));
    expect(contentOf(payloads)).toBe(streamText);
    expect(payloads.filter((data) => data.includes('"role":"assistant"'))).toHaveLength(1);
  });

  test("a stream cut before its first content fails over invisibly", async () => {
    const early = mock(() => sseResponse(streamEvents, { cutAfter: 1 }));
    const fallback = mock(() => sseResponse(streamEvents));
    const gw = gateway(
      { early: openaiProvider("early", early.url), fallback: openaiProvider("fallback", fallback.url) },
      { pool: priority(["early", "e"], ["fallback", "f"]) },
    );
    const response = await chat(gw, "pool", { stream: true });
    expect(response.headers.get("x-aisbf-provider")).toBe("fallback");
    const payloads = await events(response);
    expect(contentOf(payloads)).toBe(streamText);
    expect(payloads.at(-1)).toBe("[DONE]");
  });

  test("connection reset before headers, streamed: the fallback's stream", async () => {
    const reset = tcpUpstream("reset");
    const fallback = mock(() => sseResponse(streamEvents));
    const gw = gateway(
      { broken: openaiProvider("broken", reset.url), fallback: openaiProvider("fallback", fallback.url) },
      { pool: priority(["broken", "m"], ["fallback", "f"]) },
    );
    const response = await chat(gw, "pool", { stream: true });
    expect(response.headers.get("x-aisbf-provider")).toBe("fallback");
    expect(contentOf(await events(response))).toBe(streamText);
  });
});

describe("what a failure says about a target", () => {
  test("a client that leaves mid-stream is no cut: nothing continued, nothing held against the target", async () => {
    const slow = mock(() => sseResponse(streamEvents, { delayMs: 150 }));
    const resume = mock(() => sseResponse(streamEvents));
    const gw = gateway(
      {
        slow: openaiProvider("slow", slow.url),
        resume: openaiProvider("resume", resume.url, { supports_prefill: true }),
      },
      { pool: { ...priority(["slow", "s"], ["resume", "r"]), continue_on_cut: true } },
    );
    const controller = new AbortController();
    const response = await fetch(`${gw.url}/api/pool/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "pool", messages: [{ role: "user", content: "hi" }], stream: true }),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    await reader.read();
    await reader.read();
    controller.abort();
    await Bun.sleep(600);
    expect(resume.requests).toHaveLength(0);
    const health = await (await fetch(`${gw.url}/health`)).json();
    expect(health.targets["slow/s"]?.consecutive_failures ?? 0).toBe(0);
    expect(gw.logs.some((line) => line.includes("stream broke after commit"))).toBe(false);
    expect(gw.logs.some((line) => line.includes("ERROR"))).toBe(false);
  });

  test("a 403 for one model does not take the provider's other models out", async () => {
    const upstream = mock((request) =>
      (request.body as { model: string }).model === "o1-pro"
        ? jsonResponse({ error: { message: "no access to o1-pro", type: "invalid_request_error" } }, 403)
        : completion("gpt-4o-mini", 5),
    );
    const gw = gateway({ openai: openaiProvider("openai", upstream.url) }, {});
    expect((await chat(gw, "openai", { model: "o1-pro" })).status).toBe(403);
    expect((await chat(gw, "openai", { model: "gpt-4o-mini" })).status).toBe(200);
  });

  test("a 404 for a model nobody configured is returned as is, without a Retry-After, and disables nothing", async () => {
    const upstream = mock(() =>
      jsonResponse(JSON.parse(fixture("openai", "error-404-model-not-found.json")), 404),
    );
    const gw = gateway({ openai: openaiProvider("openai", upstream.url) }, {});
    const first = await chat(gw, "openai", { model: "gpt-5.2-proo" });
    expect(first.status).toBe(404);
    expect(first.headers.get("retry-after")).toBeNull();
    expect(first.headers.get("x-aisbf-provider")).toBe("openai");
    expect((await chat(gw, "openai", { model: "gpt-5.2-proo" })).status).toBe(404);
    expect(upstream.requests).toHaveLength(2);
  });

  test("a disabled configured model answers with its own status and reason, not a generic 503", async () => {
    const upstream = mock(() =>
      jsonResponse(JSON.parse(fixture("openai", "error-404-model-not-found.json")), 404),
    );
    const gw = gateway(
      { openai: openaiProvider("openai", upstream.url, { models: [{ name: "gpt-5.2-proo" }] }) },
      {},
    );
    expect((await chat(gw, "openai", { model: "gpt-5.2-proo" })).status).toBe(404);
    const again = await chat(gw, "openai", { model: "gpt-5.2-proo" });
    expect(again.status).toBe(404);
    expect((await again.json()).error.message).toContain("disabled");
    expect(upstream.requests).toHaveLength(1);
  });

  test("a prompt too long for every candidate is a 400, not a 503 to retry", async () => {
    const tooLong = () =>
      jsonResponse(
        {
          error: {
            message: "maximum context length exceeded",
            code: "context_length_exceeded",
            type: "invalid_request_error",
          },
        },
        400,
      );
    const a = mock(tooLong);
    const b = mock(tooLong);
    const gw = gateway(
      { a: openaiProvider("a", a.url), b: openaiProvider("b", b.url) },
      { pool: priority(["a", "x"], ["b", "y"]) },
    );
    const response = await chat(gw, "pool");
    expect(response.status).toBe(400);
    expect(response.headers.get("retry-after")).toBeNull();
    expect((await response.json()).error.code).toBe("context_length_exceeded");
  });

  test("out of credits (402) on the primary: the fallback serves", async () => {
    const broke = mock(() => jsonResponse({ error: { message: "Insufficient credits", code: 402 } }, 402));
    const fallback = mock(() => completion("fallback", 3));
    const gw = gateway(
      { broke: openaiProvider("broke", broke.url), fallback: openaiProvider("fallback", fallback.url) },
      { pool: priority(["broke", "b"], ["fallback", "f"]) },
    );
    const response = await chat(gw, "pool");
    expect(response.status).toBe(200);
    expect(response.headers.get("x-aisbf-provider")).toBe("fallback");
  });

  test("insufficient_quota from a keyless provider when the caller sent no key: fail over, and the target is out", async () => {
    const quota = fixture("openai", "error-429-insufficient-quota.json");
    const empty = mock(() => jsonResponse(quota, 429));
    const fallback = mock(() => completion("fallback", 3));
    const gw = gateway(
      {
        // A local proxy in front of a paid account: no key configured here, none needed from the caller.
        empty: openaiProvider("empty", empty.url, { api_key: undefined, api_key_required: false }),
        fallback: openaiProvider("fallback", fallback.url),
      },
      { pool: priority(["empty", "e"], ["fallback", "f"]) },
    );
    const response = await chat(gw, "pool");
    expect(response.status).toBe(200);
    expect(response.headers.get("x-aisbf-provider")).toBe("fallback");
    const health = await (await fetch(`${gw.url}/health`)).json();
    expect(health.targets["empty/e"].state).toBe("disabled");
    // The next request does not ask it again.
    await chat(gw, "pool");
    expect(empty.requests).toHaveLength(1);
  });

  test("with the caller's own key, its rate limit is not held against the shared target", async () => {
    const upstream = mock((request) =>
      request.headers.get("authorization") === "Bearer caller-a"
        ? jsonResponse({ error: { message: "slow down" } }, 429, { "retry-after": "60" })
        : completion("ok", 1),
    );
    const gw = gateway({ shared: openaiProvider("shared", upstream.url, { api_key: undefined }) }, {});
    const limited = await fetch(`${gw.url}/api/shared/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer caller-a" },
      body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(limited.status).toBe(429);
    const other = await fetch(`${gw.url}/api/shared/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer caller-b" },
      body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(other.status).toBe(200);
  });
});
