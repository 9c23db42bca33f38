// Anthropic in, Anthropic out: the client's body forwarded with only the model changed (cache_control with its
// ttl, betas, server tools, fields and blocks the gateway does not know), its anthropic-version and anthropic-beta
// headers with it, and the answer's bytes sent back as they came, still watched (a cut ends in an in-band error).
import { afterAll, beforeEach, describe, expect, test } from "bun:test";
import {
  fixtureSse,
  fixtureText,
  jsonResponse,
  type MockUpstream,
  sseEventsOf,
  ssePayloads,
  sseResponse,
  startMock,
} from "../src/providers/testing.ts";
import { startGateway, type TestGateway } from "./helpers/gateway.ts";

type Json = Record<string, unknown>;

const upstream: MockUpstream = startMock(() => jsonResponse(fixtureText("anthropic", "messages-text.json")));
const gateway: TestGateway = startGateway({
  providers: {
    anthropic: {
      id: "anthropic",
      name: "Anthropic",
      type: "anthropic",
      endpoint: upstream.url,
      api_key_required: true,
      api_key: "sk-ant-test-canary-0001",
      models: [{ name: "claude-sonnet-4-5", max_tokens: 1500 }],
    },
  },
});

afterAll(async () => {
  await gateway.stop();
  await upstream.stop();
});

beforeEach(() => {
  upstream.requests.length = 0;
});

const BETAS =
  "claude-code-20250219,context-1m-2025-08-07,interleaved-thinking-2025-05-14,context-management-2025-06-27";

/** A Claude Code-shaped body: every field and block kind the issue lists, and some the gateway has never seen. */
const BODY = {
  model: "claude-opus-4-8",
  max_tokens: 32000,
  system: [
    {
      type: "text",
      text: "x-anthropic-billing-header: cc_version=2.1.332.a1b; cc_entrypoint=cli; cch=4f2e1;",
    },
    { type: "text", text: "You are Claude Code.", cache_control: { type: "ephemeral", ttl: "1h" } },
  ],
  messages: [
    { role: "user", content: [{ type: "text", text: "Hi", cache_control: { type: "ephemeral" } }] },
    { role: "system", content: "Plan mode is on." },
    { role: "user", content: [{ type: "brand_new_block_2027", whatever: [1, 2] }] },
  ],
  tools: [
    { name: "Bash", input_schema: { type: "object", properties: {} }, cache_control: { type: "ephemeral" } },
    { type: "web_search_20250305", name: "web_search", max_uses: 3 },
  ],
  thinking: { type: "adaptive" },
  output_config: { effort: "max" },
  context_management: { edits: [{ type: "clear_tool_uses_20250919" }] },
  metadata: { user_id: "user_abc_account__session_123" },
  cache_control: { type: "ephemeral" },
};

function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${gateway.url}${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-api-key": "sk-ant-client-not-forwarded",
      "anthropic-version": "2023-06-01",
      "anthropic-beta": BETAS,
    },
    body: JSON.stringify(body),
  });
}

describe("Anthropic in, Anthropic out", () => {
  test("the body goes as it came, only the model replaced, with the client's version and betas", async () => {
    const response = await post("/api/anthropic/v1/messages?beta=true", BODY);
    expect(response.status).toBe(200);
    // The upstream's answer, byte for byte.
    expect(await response.text()).toBe(fixtureText("anthropic", "messages-text.json"));
    expect(response.headers.get("x-aisbf-warnings")).toContain("claude-opus-4-8");
    const sent = upstream.requests[0];
    expect(sent?.path).toBe("/v1/messages");
    expect(sent?.body).toEqual({ ...BODY, model: "claude-sonnet-4-5", stream: false });
    expect(sent?.headers.get("anthropic-beta")).toBe(BETAS);
    expect(sent?.headers.get("anthropic-version")).toBe("2023-06-01");
    // The provider's key, not the caller's.
    expect(sent?.headers.get("x-api-key")).toBe("sk-ant-test-canary-0001");
  });

  test("a stream's events are forwarded as they came, cache reads and writes in their usage", async () => {
    const name = "messages-stream-code-execution-cache.chunks.jsonl";
    upstream.handle(() => sseResponse(sseEventsOf(fixtureSse("anthropic", name))));
    const response = await post("/v1/messages", {
      ...BODY,
      model: "anthropic/claude-sonnet-4-5",
      stream: true,
    });
    const text = await response.text();
    expect(ssePayloads(text)).toEqual(ssePayloads(fixtureSse("anthropic", name)));
    const start = ssePayloads(text)[0] as { message: { usage: Json } };
    expect(start.message.usage.cache_creation_input_tokens).toBeDefined();
    expect([...text.matchAll(/^event: (.+)$/gm)].map((match) => match[1])).toEqual(
      ssePayloads(text).map((event) => String(event.type)),
    );
    expect((upstream.requests[0]?.body as Json).stream).toBe(true);
  });

  test("a stream cut after its first text ends in an in-band error event, never a silent end", async () => {
    const events = sseEventsOf(fixtureText("anthropic", "messages-stream-text-httprr.sse"));
    upstream.handle(() => sseResponse(events, { cutAfter: 4 }));
    const response = await post("/v1/messages", {
      ...BODY,
      model: "anthropic/claude-sonnet-4-5",
      stream: true,
    });
    expect(response.status).toBe(200);
    const text = await response.text();
    const payloads = ssePayloads(text);
    expect(payloads.at(-1)).toMatchObject({ type: "error", error: { type: "api_error" } });
    expect(text).toContain("event: error\n");
    expect(payloads.some((event) => event.type === "message_stop")).toBe(false);
    expect(text).not.toContain("canary");
  });

  test("count_tokens asks Anthropic's counter with the client's body", async () => {
    upstream.handle(() => jsonResponse({ input_tokens: 2095 }));
    const response = await post("/v1/messages/count_tokens", {
      model: "anthropic/claude-sonnet-4-5",
      messages: BODY.messages,
      system: BODY.system,
    });
    expect(await response.json()).toEqual({ input_tokens: 2095 });
    expect(response.headers.get("x-aisbf-token-count")).toBe("provider");
    const sent = upstream.requests[0];
    expect(sent?.path).toBe("/v1/messages/count_tokens");
    expect(sent?.body).toEqual({ model: "claude-sonnet-4-5", messages: BODY.messages, system: BODY.system });
    expect(sent?.headers.get("anthropic-beta")).toBe(BETAS);
  });
});
