// The chat, model and status routes in process (app.request, no socket), over fake adapters: what a client is sent.
import { describe, expect, test } from "bun:test";
import type { LoadedConfig } from "../../config/load.ts";
import { silentLogger } from "../../log/logger.ts";
import { type FakeProvider, fakeProvider, fakeWorld, upstreamStatus } from "../../routing/testing.ts";
import { createApp } from "../app.ts";

function appFor(fakes: FakeProvider[], rotations: LoadedConfig["rotations"] = {}) {
  const world = fakeWorld(fakes);
  const config: LoadedConfig = {
    dir: "/nonexistent-test-config",
    providers: world.deps.providers,
    rotations,
    server: {},
    clientKeys: [],
    warnings: [],
  };
  const app = createApp({
    config,
    adapters: world.deps.adapters,
    health: world.health,
    logger: silentLogger,
    clock: world.now,
    random: () => 0,
    version: "0.0.0-test",
    startedAt: world.now(),
  });
  return { app, world };
}

const pool = {
  pool: {
    strategy: "priority" as const,
    providers: [
      { provider_id: "primary", models: [{ name: "p", weight: 2 }] },
      { provider_id: "fallback", models: [{ name: "f", weight: 1 }] },
    ],
  },
};

function post(body: Record<string, unknown>) {
  return {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ messages: [{ role: "user", content: "hi" }], ...body }),
  };
}

describe("POST /v1/chat/completions", () => {
  test("a rotation's answer: OpenAI's shape, with the routing headers of the target that answered", async () => {
    const primary = fakeProvider("primary", () => ({ error: upstreamStatus("primary", 503, "down") }));
    const fallback = fakeProvider("fallback", () => ({ answer: "hello from fallback" }));
    const { app } = appFor([primary, fallback], pool);
    const response = await app.request("/v1/chat/completions", post({ model: "pool" }));
    expect(response.status).toBe(200);
    expect(response.headers.get("x-aisbf-provider")).toBe("fallback");
    expect(response.headers.get("x-aisbf-model")).toBe("f");
    expect(response.headers.get("x-aisbf-attempts")).toBe("2");
    const body = await response.json();
    expect(body.object).toBe("chat.completion");
    expect(body.id).toStartWith("chatcmpl-");
    expect(body.choices[0].message).toEqual({ role: "assistant", content: "hello from fallback" });
    expect(body.choices[0].finish_reason).toBe("stop");
  });

  test("a stream: SSE chunks rendered from the canonical frames, then [DONE]", async () => {
    const only = fakeProvider("primary", () => ({ stream: ["Hel", "lo"] }));
    const { app } = appFor([only]);
    const response = await app.request("/v1/chat/completions", post({ model: "primary/p", stream: true }));
    expect(response.headers.get("content-type")).toStartWith("text/event-stream");
    const events = (await response.text()).split("\n\n").filter((event) => event !== "");
    expect(events.at(-1)).toBe("data: [DONE]");
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event.slice("data: ".length)));
    expect(chunks[0].choices[0].delta.role).toBe("assistant");
    expect(chunks.map((chunk) => chunk.choices[0].delta.content ?? "").join("")).toBe("Hello");
    expect(chunks.at(-1).choices[0].finish_reason).toBe("stop");
  });

  test("a stream cut after commit: the text so far, an in-band error event, no [DONE]", async () => {
    const cut = fakeProvider("primary", () => ({ stream: ["partial"], then: "cut" }));
    const { app } = appFor([cut]);
    const response = await app.request("/v1/chat/completions", post({ model: "primary/p", stream: true }));
    const text = await response.text();
    expect(text).toContain('"content":"partial"');
    expect(text).not.toContain("[DONE]");
    const last = text.trim().split("\n\n").at(-1) ?? "";
    expect(JSON.parse(last.slice("data: ".length)).error.message).toContain("interrupted");
  });

  test("an unknown model: 404 in OpenAI's error shape naming what is configured", async () => {
    const { app } = appFor([fakeProvider("primary", () => ({ answer: "x" }))], pool);
    const response = await app.request("/v1/chat/completions", post({ model: "nope" }));
    expect(response.status).toBe(404);
    const body = await response.json();
    expect(body.error.code).toBe("model_not_found");
    expect(body.error.message).toContain("primary");
    expect(body.error.message).toContain("pool");
  });

  test("every target down: 503 listing each attempt, with Retry-After", async () => {
    const down = (id: string) => fakeProvider(id, () => ({ error: upstreamStatus(id, 503, `${id} down`) }));
    const { app } = appFor([down("primary"), down("fallback")], pool);
    const response = await app.request("/v1/chat/completions", post({ model: "pool" }));
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("1");
    const body = await response.json();
    expect(body.error.message).toContain("primary/p: 503 primary down");
    expect(body.error.message).toContain("fallback/f: 503 fallback down");
  });
});

describe("status and models", () => {
  test("/health shows a target cooling down after its failures", async () => {
    const primary = fakeProvider("primary", () => ({ error: upstreamStatus("primary", 503, "down") }), {
      failure_threshold: 1,
    });
    const fallback = fakeProvider("fallback", () => ({ answer: "ok" }));
    const { app } = appFor([primary, fallback], pool);
    await app.request("/v1/chat/completions", post({ model: "pool" }));
    const health = await (await app.request("/health")).json();
    expect(health.targets["primary/p"].state).toBe("cooling_down");
    expect(health.targets["primary/p"].next_probe_at).toBeString();
  });

  test("/v1/models lists every rotation", async () => {
    const { app } = appFor([fakeProvider("primary", () => ({ answer: "x" }))], pool);
    const models = await (await app.request("/v1/models")).json();
    expect(models.data.map((entry: { id: string }) => entry.id)).toContain("pool");
  });
});
