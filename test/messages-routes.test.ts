// The Messages endpoints over HTTP: /v1/messages (?beta=true as Claude Code sends it) and /api/{id}/v1/messages,
// model names through aliases and substitution, errors in Anthropic's shape with Anthropic's types, count_tokens,
// against a mock OpenAI-compatible upstream replaying recorded traffic.
import { afterAll, beforeEach, describe, expect, test } from "bun:test";
import { sha256 } from "../src/config/client-keys.ts";
import {
  fixtureHttp,
  fixtureText,
  jsonResponse,
  type MockUpstream,
  sseEventsOf,
  ssePayloads,
  sseResponse,
  startMock,
} from "../src/providers/testing.ts";
import { openaiProvider, startGateway, type TestGateway } from "./helpers/gateway.ts";

type Json = Record<string, unknown>;

const upstream: MockUpstream = startMock(() =>
  jsonResponse(fixtureText("openai", "chat-completions-text.json")),
);
const gateway: TestGateway = startGateway({
  providers: {
    openai: openaiProvider("openai", upstream.url, { models: [{ name: "gpt-4.1-mini" }] }),
    // Its own provider: the 429 it gets takes it out for a while.
    limited: openaiProvider("limited", upstream.url),
  },
  rotations: {
    coding: { providers: [{ provider_id: "openai", models: [{ name: "gpt-4.1-mini", weight: 1 }] }] },
  },
  modelAliases: { "claude-haiku-*": "openai/gpt-4.1-mini" },
});

afterAll(async () => {
  await gateway.stop();
  await upstream.stop();
});

beforeEach(() => {
  upstream.requests.length = 0;
  upstream.handle(() => jsonResponse(fixtureText("openai", "chat-completions-text.json")));
});

function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${gateway.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "anthropic-version": "2023-06-01", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

const hello = (model: string, extra: Json = {}) => ({
  model,
  max_tokens: 256,
  messages: [{ role: "user", content: "Hello" }],
  ...extra,
});

const recordedText = JSON.parse(fixtureText("openai", "chat-completions-text.json")).choices[0].message
  .content;

describe("POST /v1/messages", () => {
  test("a rotation name, with ?beta=true: the message object, rendered from the OpenAI answer", async () => {
    const response = await post("/v1/messages?beta=true", hello("coding"));
    expect(response.status).toBe(200);
    const message = (await response.json()) as Json;
    expect(message).toMatchObject({ type: "message", role: "assistant", stop_reason: "end_turn" });
    expect(message.content).toEqual([{ type: "text", text: recordedText }]);
    expect((upstream.requests[0]?.body as Json).messages).toEqual([{ role: "user", content: "Hello" }]);
  });

  test("a model_aliases name (trailing *) reaches its target; an unknown name is a 404 listing what exists", async () => {
    const aliased = await post("/v1/messages", hello("claude-haiku-4-5-20251001"));
    expect(aliased.status).toBe(200);
    expect(aliased.headers.get("x-aisbf-model")).toBe("gpt-4.1-mini");
    const unknown = await post("/v1/messages", hello("claude-opus-4-8"));
    expect(unknown.status).toBe(404);
    const body = (await unknown.json()) as Json;
    expect(body.type).toBe("error");
    expect((body.error as Json).type).toBe("not_found_error");
    expect((body.error as Json).message).toContain("openai, limited, coding; model aliases: claude-haiku-*");
  });

  test("bad input is a 400 invalid_request_error naming the field", async () => {
    const response = await post("/v1/messages", { model: "coding", messages: [] });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      type: "error",
      error: {
        type: "invalid_request_error",
        message: "max_tokens: Invalid input: expected number, received undefined",
      },
    });
    const notJson = await post("/v1/messages", "{");
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as Json).type).toBe("error");
  });

  test("an upstream 429 is Anthropic's rate_limit_error with its retry-after", async () => {
    // OpenRouter's recorded 429 body, with a Retry-After of our own (its recorded reset time is long past).
    const recorded = fixtureHttp("openai", "error-429-openai-compatible-openrouter-httprr.http");
    upstream.handle(() => jsonResponse(recorded.body, 429, { "retry-after": "7" }));
    const response = await post("/api/limited/v1/messages", hello("gpt-4.1-mini"));
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("7");
    expect(((await response.json()) as { error: Json }).error.type).toBe("rate_limit_error");
  });
});

describe("POST /api/{id}/v1/messages", () => {
  test("Claude Code's own model name on a provider path: its first model, with a warning naming it", async () => {
    const response = await post("/api/openai/v1/messages", hello("claude-opus-4-8"));
    expect(response.status).toBe(200);
    expect(response.headers.get("x-aisbf-warnings")).toContain(
      "model 'claude-opus-4-8' is not listed for provider 'openai'",
    );
    expect((upstream.requests[0]?.body as Json).model).toBe("gpt-4.1-mini");
  });

  test("a stream: message_start, ping, the recorded text as text_delta events, message_delta, message_stop", async () => {
    upstream.handle(() =>
      sseResponse(sseEventsOf(fixtureText("openai", "chat-completions-stream-include-usage.sse"))),
    );
    const response = await post(
      "/api/coding/v1/messages?beta=true",
      hello("claude-opus-4-8", { stream: true }),
    );
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const text = await response.text();
    const events = [...text.matchAll(/^event: (.+)$/gm)].map((match) => match[1]);
    expect(events.slice(0, 3)).toEqual(["message_start", "ping", "content_block_start"]);
    expect(events.slice(-3)).toEqual(["content_block_stop", "message_delta", "message_stop"]);
    const payloads = ssePayloads(text);
    const streamed = payloads
      .flatMap((event) =>
        (event.delta as Json | undefined)?.type === "text_delta" ? [(event.delta as Json).text] : [],
      )
      .join("");
    const recorded = ssePayloads(fixtureText("openai", "chat-completions-stream-include-usage.sse"))
      .flatMap((chunk) =>
        (chunk.choices as Array<{ delta?: { content?: string } }>).map((c) => c.delta?.content ?? ""),
      )
      .join("");
    expect(streamed).toBe(recorded);
    const usage = ssePayloads(fixtureText("openai", "chat-completions-stream-include-usage.sse")).at(-1)
      ?.usage as Json;
    const delta = payloads.find((event) => event.type === "message_delta") as Json;
    expect((delta.usage as Json).output_tokens).toBe(usage.completion_tokens as number);
    expect((upstream.requests[0]?.body as Json).stream).toBe(true);
  });
});

describe("POST /v1/messages/count_tokens", () => {
  test("a provider without a counter: an estimate, flagged in a header, nothing sent upstream", async () => {
    const response = await post("/v1/messages/count_tokens?beta=true", {
      model: "coding",
      messages: [{ role: "user", content: "x".repeat(400) }],
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-aisbf-token-count")).toBe("estimate");
    expect(await response.json()).toEqual({ input_tokens: 100 });
    expect(upstream.requests).toHaveLength(0);
  });
});

describe("client keys on the Messages paths", () => {
  test("x-api-key authenticates, and a key's requests per minute are one budget across the dialects", async () => {
    const limited = startGateway({
      providers: { openai: openaiProvider("openai", upstream.url, { models: [{ name: "gpt-4.1-mini" }] }) },
      clientKeys: [{ name: "ci", digest: sha256("sk-aisbf-ci-key"), requestsPerMinute: 1 }],
    });
    try {
      const send = (path: string, body: unknown, headers: Record<string, string>) =>
        fetch(`${limited.url}${path}`, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body: JSON.stringify(body),
        });
      const none = await send("/v1/messages", hello("openai/gpt-4.1-mini"), {});
      expect(none.status).toBe(401);
      expect(((await none.json()) as { error: Json }).error.type).toBe("authentication_error");
      const chat = await send(
        "/v1/chat/completions",
        { model: "openai/gpt-4.1-mini", messages: [{ role: "user", content: "Hello" }] },
        { authorization: "Bearer sk-aisbf-ci-key" },
      );
      expect(chat.status).toBe(200);
      const messages = await send("/v1/messages", hello("openai/gpt-4.1-mini"), {
        "x-api-key": "sk-aisbf-ci-key",
      });
      expect(messages.status).toBe(429);
      expect(((await messages.json()) as { error: Json }).error.type).toBe("rate_limit_error");
    } finally {
      await limited.stop();
    }
  });
});
