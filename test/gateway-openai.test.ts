// End to end: the official openai SDK -> AISBF -> a mock OpenAI upstream replaying recorded real responses.
import { describe, expect, test } from "bun:test";
import OpenAI from "openai";
import {
  fixtureText,
  jsonlToSSE,
  jsonResponse,
  sseEventsOf,
  sseResponse,
  startMock,
} from "../src/providers/testing.ts";
import { openaiProvider, startGateway } from "./helpers/gateway.ts";
import { useProviderSuite } from "./helpers/provider-suite.ts";

const textBody = fixtureText("openai", "chat-completions-text-httprr.json");

const suite = useProviderSuite({
  initial: () => jsonResponse(textBody),
  gateway: (url) => ({
    providers: {
      openai: openaiProvider("openai", `${url}/v1`, {
        models: [{ name: "gpt-4o-mini", context_window: 128000 }],
      }),
      local: openaiProvider("local", `${url}/v1`, { api_key_required: false, api_key: undefined }),
      needskey: openaiProvider("needskey", `${url}/v1`, {
        api_key: undefined,
        api_key_env: "NEEDS_KEY_API_KEY",
      }),
    },
    rotations: {
      pool: { providers: [{ provider_id: "openai", models: [{ name: "gpt-4o-mini", weight: 1 }] }] },
    },
  }),
  directPath: "/api/openai",
  clientKey: "sk-client-should-not-be-forwarded",
});

describe("non-streaming", () => {
  test("returns the upstream's completion byte for byte, with routing headers", async () => {
    const response = await fetch(`${suite.gateway.url}/api/openai/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-3.5-turbo", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(textBody);
    expect(response.headers.get("x-aisbf-provider")).toBe("openai");
    expect(response.headers.get("x-aisbf-model")).toBe("gpt-3.5-turbo");
    expect(response.headers.get("x-aisbf-attempts")).toBe("1");
  });

  test("the openai SDK gets a parsed completion through /v1 with provider/model", async () => {
    const completion = await suite.client.chat.completions.create({
      model: "openai/gpt-3.5-turbo",
      messages: [{ role: "user", content: "hi" }],
    });
    const expected = JSON.parse(textBody);
    expect(completion.id).toBe(expected.id);
    expect(completion.choices[0]?.message.content).toBe(expected.choices[0].message.content);
    expect(completion.usage?.total_tokens).toBe(expected.usage.total_tokens);
    const sent = suite.upstream.requests[0];
    expect(sent?.path).toBe("/v1/chat/completions");
    expect((sent?.body as { model: string }).model).toBe("gpt-3.5-turbo");
  });

  test("sends the configured key upstream, never the caller's", async () => {
    await suite.client.chat.completions.create({
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: "hi" }],
    });
    expect(suite.upstream.requests[0]?.headers.get("authorization")).toBe("Bearer sk-test-canary-key-0001");
  });

  test("passes every request field through, including ones the gateway does not model", async () => {
    const body = {
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "hi" }],
      seed: 7,
      logprobs: true,
      top_logprobs: 2,
      n: 1,
      reasoning_effort: "low",
      response_format: { type: "json_object" },
      metadata: { trace: "abc" },
      tools: [{ type: "function", function: { name: "f", parameters: { type: "object", properties: {} } } }],
      tool_choice: "auto",
    };
    await fetch(`${suite.gateway.url}/api/openai/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(suite.upstream.requests[0]?.body).toEqual(body);
  });

  test("tool calls reach the SDK intact", async () => {
    const toolBody = fixtureText("openai", "chat-completions-parallel-tool-calls.json");
    suite.upstream.handle(() => jsonResponse(toolBody));
    const completion = await suite.client.chat.completions.create({
      model: "openai/gpt-4o",
      messages: [{ role: "user", content: "delete and create" }],
      tools: [
        { type: "function", function: { name: "delete_file", parameters: { type: "object" } } },
        { type: "function", function: { name: "create_file", parameters: { type: "object" } } },
      ],
    });
    const expected = JSON.parse(toolBody);
    const calls = completion.choices[0]?.message.tool_calls ?? [];
    expect(calls).toHaveLength(2);
    expect(completion.choices[0]?.finish_reason).toBe("tool_calls");
    expect(calls.map((call) => call.type === "function" && call.function.name)).toEqual(
      expected.choices[0].message.tool_calls.map(
        (call: { function: { name: string } }) => call.function.name,
      ),
    );
  });

  test("a keyless local provider gets no configured key; the caller's bearer passes through", async () => {
    await fetch(`${suite.gateway.url}/api/local/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer caller-own-token" },
      body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(suite.upstream.requests[0]?.headers.get("authorization")).toBe("Bearer caller-own-token");
    await fetch(`${suite.gateway.url}/api/local/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(suite.upstream.requests[1]?.headers.get("authorization")).toBeNull();
  });

  test("a provider that needs a key and has none is a 401 naming the variable", async () => {
    const response = await fetch(`${suite.gateway.url}/api/needskey/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(response.status).toBe(401);
    const body = await response.json();
    expect(body.error.message).toContain("NEEDS_KEY_API_KEY");
    expect(body.error.message).toContain("needskey");
    expect(suite.upstream.requests).toHaveLength(0);
  });
});

describe("streaming", () => {
  test("chunks reach the SDK as the upstream sent them, ending with [DONE]", async () => {
    const sse = fixtureText("openai", "chat-completions-stream-include-usage.sse");
    suite.upstream.handle(() => sseResponse(sseEventsOf(sse)));
    const response = await fetch(`${suite.gateway.url}/api/openai/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "gpt-4o-mini",
        messages: [{ role: "user", content: "hi" }],
        stream: true,
        stream_options: { include_usage: true },
      }),
    });
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const text = await response.text();
    const sent = sseEventsOf(text).map((event) => event.trim());
    const recorded = sseEventsOf(sse).map((event) => event.trim());
    expect(sent).toEqual(recorded);
    expect(sent.at(-1)).toBe("data: [DONE]");
  });

  test("the SDK assembles streamed text, finish_reason and usage", async () => {
    const lines = fixtureText("openai", "chat-completions-text-stream.chunks.jsonl");
    suite.upstream.handle(() => sseResponse([...jsonlToSSE(lines), "data: [DONE]\n\n"]));
    const stream = await suite.client.chat.completions.create({
      model: "openai/gpt-4.1-nano",
      messages: [{ role: "user", content: "hi" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    const expected = lines
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line))
      .map((chunk) => chunk.choices[0]?.delta?.content ?? "")
      .join("");
    expect(text).toBe(expected);
    expect(text.length).toBeGreaterThan(100);
    expect(finish).toBe("stop");
    expect(usage?.total_tokens).toBeGreaterThan(0);
  });

  test("a streamed tool call assembles into name and JSON arguments", async () => {
    const sse = fixtureText("openai", "chat-completions-stream-tool-call.sse");
    suite.upstream.handle(() => sseResponse(sseEventsOf(sse)));
    const stream = await suite.client.chat.completions.create({
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: "multiply" }],
      stream: true,
      tools: [{ type: "function", function: { name: "multiply", parameters: { type: "object" } } }],
    });
    let name = "";
    let args = "";
    let finish: string | null = null;
    for await (const chunk of stream) {
      for (const call of chunk.choices[0]?.delta.tool_calls ?? []) {
        name += call.function?.name ?? "";
        args += call.function?.arguments ?? "";
      }
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(name).toBe("multiply");
    expect(JSON.parse(args)).toBeInstanceOf(Object);
    expect(finish).toBe("tool_calls");
  });

  test("each chunk is forwarded as it arrives, not buffered", async () => {
    const lines = fixtureText("openai", "chat-completions-text-stream.chunks.jsonl")
      .split("\n")
      .filter(Boolean)
      .slice(0, 5);
    suite.upstream.handle(() => sseResponse(jsonlToSSE(lines.join("\n")), { delayMs: 200, stallAfter: 4 }));
    const response = await fetch(`${suite.gateway.url}/api/openai/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "gpt-4.1-nano",
        messages: [{ role: "user", content: "hi" }],
        stream: true,
      }),
    });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let seen = "";
    // The upstream stalls after 4 events: everything before the stall must already be here.
    while ((seen.match(/data: /g) ?? []).length < 3) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += decoder.decode(value);
    }
    expect((seen.match(/data: /g) ?? []).length).toBeGreaterThanOrEqual(3);
    await reader.cancel();
  });
});

describe("models", () => {
  test("GET /api/{provider}/models lists the upstream's models", async () => {
    suite.upstream.handle(() => jsonResponse(fixtureText("openai", "models-list.json")));
    const page = await new OpenAI({
      apiKey: "x",
      baseURL: `${suite.gateway.url}/api/openai`,
      maxRetries: 0,
    }).models.list();
    const expected = JSON.parse(fixtureText("openai", "models-list.json"));
    expect(page.data.map((model) => model.id)).toEqual(
      expected.data.map((model: { id: string }) => model.id),
    );
    expect(page.data[0]?.object).toBe("model");
  });

  test("falls back to the configured list when the upstream's fails", async () => {
    suite.upstream.handle(() => jsonResponse({ error: { message: "down" } }, 500));
    const response = await fetch(`${suite.gateway.url}/api/local/models`);
    expect(response.status).toBe(200);
    expect((await response.json()).data).toEqual([]);
  });

  test("GET /v1/models lists every provider/model and every rotation", async () => {
    const page = await suite.client.models.list();
    const ids = page.data.map((model) => model.id);
    expect(ids).toContain("openai/gpt-4o-mini");
    expect(ids).toContain("pool");
  });
});

describe("upstream errors", () => {
  test("a 404 model keeps its status and OpenAI error body", async () => {
    suite.upstream.handle(() => jsonResponse(fixtureText("openai", "error-404-model-not-found.json"), 404));
    const response = await fetch(`${suite.gateway.url}/api/openai/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-5.2-proo", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(response.status).toBe(404);
    const body = await response.json();
    const recorded = JSON.parse(fixtureText("openai", "error-404-model-not-found.json"));
    expect(body.error.message).toBe(recorded.error.message);
    expect(body.error.code).toBe("model_not_found");
    expect(body.error.type).toBe(recorded.error.type);
  });

  test("a 400 from upstream is returned as is, not retried", async () => {
    suite.upstream.handle(() =>
      jsonResponse(fixtureText("openai", "error-400-unsupported-parameter.json"), 400),
    );
    const response = await fetch(`${suite.gateway.url}/api/openai/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "o1", max_tokens: 5, messages: [{ role: "user", content: "hi" }] }),
    });
    expect(response.status).toBe(400);
    expect((await response.json()).error.param).toBe("max_tokens");
    expect(suite.upstream.requests).toHaveLength(1);
  });

  test("an unreachable upstream is a 502 in OpenAI's error shape", async () => {
    const dead = startMock(() => new Response("x"));
    const deadUrl = dead.url;
    await dead.stop();
    const gw = startGateway({ providers: { gone: openaiProvider("gone", `${deadUrl}/v1`) } });
    try {
      const started = Date.now();
      const response = await fetch(`${gw.url}/api/gone/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] }),
      });
      expect(response.status).toBe(502);
      const body = await response.json();
      expect(body.error.type).toBe("api_error");
      expect(body.error.code).toBe("upstream_unreachable");
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await gw.stop();
    }
  });
});
