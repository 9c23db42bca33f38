// The adapter against the shared mock upstream on 127.0.0.1, replaying the recorded Anthropic bytes.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type ChatRequest, chatRequestSchema } from "../../api/chat.ts";
import { GatewayError, UpstreamConnectionError } from "../../api/errors.ts";
import { chatClientRequest } from "../../api/openai-chat/client-request.ts";
import { collectResponse, type StreamEvent } from "../../canonical/stream.ts";
import type { ProviderConfig } from "../../config/schema.ts";
import { silentLogger } from "../../log/logger.ts";
import {
  bodyOf,
  closedPort,
  fixtureSse,
  fixtureText,
  jsonResponse,
  type MockUpstream,
  type RecordedRequest,
  rejection,
  requestAt,
  ssePayloads,
  startMock,
} from "../testing.ts";
import type { ChatAttempt, ChatResult } from "../types.ts";
import { ANTHROPIC_VERSION, createAnthropicAdapter } from "./index.ts";
import { documentedError, framesOf, joined, MODELS_PAGE } from "./test-data.ts";

const KEY = "sk-ant-test";
const recorded = (name: string) => fixtureText("anthropic", name);
const sse = (text: string) => new Response(text, { headers: { "content-type": "text/event-stream" } });
const textStream = fixtureSse("anthropic", "messages-stream-text-httprr.sse");
/** The recorded text stream without its message_delta and message_stop. */
const cutStream = textStream.slice(0, textStream.indexOf("event: message_delta"));

/** Upstream behaviour chosen by the requested model name. */
const BY_MODEL: Record<string, () => Response | Promise<Response>> = {
  text: () => jsonResponse(recorded("messages-text.json")),
  tools: () => jsonResponse(recorded("messages-parallel-tool-use.json")),
  "stream-text": () => sse(textStream),
  "stream-thinking": () => sse(fixtureSse("anthropic", "messages-stream-thinking.sse")),
  "stream-tools": () => sse(fixtureSse("anthropic", "messages-stream-parallel-tool-use.sse")),
  "stream-cut": () => sse(cutStream),
  // The cut stream's bytes, then the connection drops mid-body.
  reset: () => new Response(bodyOf(cutStream, { failWith: new Error("connection reset") })),
  garbage: () => jsonResponse("<html>upstream proxy error</html>"),
  overloaded: () => jsonResponse(documentedError("overloaded_error", "Overloaded"), 529),
  limited: () =>
    jsonResponse(documentedError("rate_limit_error", "rate limited"), 429, {
      "retry-after": "12",
      "retry-after-ms": "11500",
    }),
  missing: () => jsonResponse(recorded("error-404-not-found-model.json"), 404),
  "too-long": () =>
    jsonResponse(
      documentedError("invalid_request_error", "prompt is too long: 250000 tokens > 200000 maximum"),
      400,
    ),
  slow: () => Bun.sleep(400).then(() => jsonResponse(recorded("messages-text.json"))),
};

function route(request: RecordedRequest): Response | Promise<Response> {
  if (request.path === "/v1/models") {
    if (request.headers.get("x-api-key") === KEY) return jsonResponse(MODELS_PAGE);
    return jsonResponse(documentedError("authentication_error", "invalid x-api-key"), 401);
  }
  const model = String((request.body as { model?: unknown } | undefined)?.model);
  return (BY_MODEL[model] ?? BY_MODEL.text)?.() ?? jsonResponse("{}", 500);
}

let upstream: MockUpstream;
let provider: ProviderConfig;

beforeAll(() => {
  upstream = startMock(route);
  provider = {
    id: "claude",
    name: "Claude",
    type: "anthropic",
    endpoint: upstream.url,
    api_key_required: true,
    api_key: KEY,
    headers: { "X-Tenant": "blue" },
    models: [{ name: "text", max_tokens: 1234 }],
  };
});

afterAll(async () => {
  await upstream.stop();
});

let nextId = 0;
const adapter = createAnthropicAdapter({
  clock: () => 1_700_000_000_000,
  newId: (prefix) => `${prefix}${++nextId}`,
  logger: silentLogger,
});

function attempt(
  model: string,
  fields: Record<string, unknown>,
  overrides: Partial<ChatAttempt> = {},
): ChatAttempt {
  const request: ChatRequest = chatRequestSchema.parse({
    model: `claude/${model}`,
    messages: [{ role: "user", content: "Hello" }],
    ...fields,
  });
  return {
    provider,
    model,
    ...chatClientRequest(request),
    apiKey: KEY,
    keySource: "configured",
    signal: new AbortController().signal,
    ...overrides,
  };
}

function lastReceived(): RecordedRequest & { body: Record<string, unknown> } {
  return requestAt<Record<string, unknown>>(upstream, upstream.requests.length - 1);
}

const chatError = (promise: Promise<unknown>) => rejection(promise);

async function streamOf(result: ChatResult) {
  if (result.kind !== "frames") throw new Error("expected frames");
  return framesOf(result.frames);
}

function answerOf(result: ChatResult) {
  if (result.kind !== "answer") throw new Error("expected an answer");
  return { ...result, response: result.response() };
}

const finishOf = (events: StreamEvent[]) => events.find((event) => event.type === "finish");

describe("chat, not streaming", () => {
  test("a text answer, the configured max_tokens default, and the key sent as x-api-key", async () => {
    const result = answerOf(await adapter.chat(attempt("text", {})));
    expect(result.response.content).toEqual([
      { type: "text", text: JSON.parse(recorded("messages-text.json")).content[0].text },
    ]);
    expect(result.response.content[0]).toMatchObject({
      text: expect.stringMatching(/^Hello! I'm doing well/),
    });
    expect(result.response.model).toBe("claude-sonnet-4-5-20250929");
    expect(result.response.id).toBe(JSON.parse(recorded("messages-text.json")).id);
    // The upstream's body as it came, for a client that speaks the Messages API.
    expect(result.raw).toEqual({ dialect: "anthropic-messages", body: recorded("messages-text.json") });
    expect(result.warnings).toEqual(["max_tokens was not set; used the configured default of 1234 for text"]);
    const { path, headers, body } = lastReceived();
    expect(path).toBe("/v1/messages");
    expect(headers.get("x-api-key")).toBe("sk-ant-test");
    expect(headers.get("authorization")).toBeNull();
    expect(headers.get("anthropic-version")).toBe(ANTHROPIC_VERSION);
    expect(headers.get("x-tenant")).toBe("blue");
    expect(body).toEqual({
      model: "text",
      max_tokens: 1234,
      messages: [{ role: "user", content: [{ type: "text", text: "Hello" }] }],
      stream: false,
    });
  });

  test("a multi-turn tool-calling conversation reaches the upstream translated", async () => {
    const result = await adapter.chat(
      attempt("tools", {
        max_tokens: 300,
        tools: [
          {
            type: "function",
            function: {
              name: "retrieve_entity_info",
              parameters: { type: "object", properties: { name: { type: "string" } } },
            },
          },
        ],
        tool_choice: "auto",
        messages: [
          { role: "system", content: "You are a family archivist." },
          { role: "user", content: "Who is youngest, Alice or Bob?" },
          {
            role: "assistant",
            content: null,
            tool_calls: [
              {
                id: "toolu_A",
                type: "function",
                function: { name: "retrieve_entity_info", arguments: '{"name":"Alice"}' },
              },
              {
                id: "toolu_B",
                type: "function",
                function: { name: "retrieve_entity_info", arguments: '{"name":"Bob"}' },
              },
            ],
          },
          { role: "tool", tool_call_id: "toolu_A", content: '{"age": 31}' },
          { role: "tool", tool_call_id: "toolu_B", content: '{"age": 27}' },
          { role: "user", content: "And Charlie and Daisy?" },
        ],
      }),
    );
    const { body } = lastReceived();
    expect(body.system).toEqual([{ type: "text", text: "You are a family archivist." }]);
    expect(body.tool_choice).toEqual({ type: "auto" });
    expect(body.tools).toEqual([
      {
        name: "retrieve_entity_info",
        input_schema: { type: "object", properties: { name: { type: "string" } } },
      },
    ]);
    expect(body.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "Who is youngest, Alice or Bob?" }] },
      {
        role: "assistant",
        content: [
          { type: "tool_use", id: "toolu_A", name: "retrieve_entity_info", input: { name: "Alice" } },
          { type: "tool_use", id: "toolu_B", name: "retrieve_entity_info", input: { name: "Bob" } },
        ],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "toolu_A", content: '{"age": 31}' },
          { type: "tool_result", tool_use_id: "toolu_B", content: '{"age": 27}' },
          { type: "text", text: "And Charlie and Daisy?" },
        ],
      },
    ]);
    const { response, warnings } = answerOf(result);
    expect(response.stopReason).toBe("tool_use");
    expect(
      response.content.flatMap((block) => (block.type === "tool_call" ? [block.arguments] : [])),
    ).toEqual(['{"name":"Alice"}', '{"name":"Bob"}', '{"name":"Charlie"}', '{"name":"Daisy"}']);
    expect(warnings).toEqual([]);
  });

  test("without a key nothing is sent as a key", async () => {
    await adapter.chat(attempt("text", { max_tokens: 5 }, { apiKey: undefined }));
    const { headers } = lastReceived();
    expect(headers.get("x-api-key")).toBeNull();
    expect(headers.get("authorization")).toBeNull();
  });
});

describe("chat, streaming", () => {
  test("recorded text stream with usage", async () => {
    const result = await adapter.chat(
      attempt("stream-text", { stream: true, stream_options: { include_usage: true }, max_tokens: 50 }),
    );
    expect(lastReceived().body.stream).toBe(true);
    const { frames, events, error } = await streamOf(result);
    expect(error).toBeUndefined();
    expect(joined(events, "text")).toBe("1\n2\n3\n4\n5");
    expect(frames.at(-1)?.events).toEqual([{ type: "finish", stopReason: "end_turn" }]);
    expect(events.filter((event) => event.type === "usage").at(-1)).toEqual({
      type: "usage",
      usage: { inputTokens: 15, outputTokens: 13, cacheReadTokens: 0, cacheWriteTokens: 0 },
    });
    expect(events.filter((event) => event.type === "start")).toEqual([
      {
        type: "start",
        id: "msg_01Ju7oPaDmjgrhWq8gNP4AUj",
        model: "claude-3-opus-20240229",
        created: 1_700_000_000,
      },
    ]);
  });

  test("recorded thinking stream keeps reasoning and its signature", async () => {
    const { events } = await streamOf(
      await adapter.chat(attempt("stream-thinking", { stream: true, max_tokens: 2000 })),
    );
    expect(joined(events, "thinking")).toStartWith("This is a straightforward question");
    const response = collectResponse(events);
    const signature = ssePayloads(fixtureSse("anthropic", "messages-stream-thinking.sse"))
      .map((payload) => (payload.type === "content_block_delta" ? JSON.stringify(payload.delta) : ""))
      .filter((delta) => delta.includes("signature_delta"))
      .map((delta) => JSON.parse(delta).signature)
      .join("");
    expect(response.content[0]).toMatchObject({ type: "thinking", origin: "anthropic-claude-v1", signature });
    expect(finishOf(events)).toEqual({ type: "finish", stopReason: "end_turn" });
  });

  test("recorded parallel tool-call stream", async () => {
    const { events } = await streamOf(
      await adapter.chat(attempt("stream-tools", { stream: true, max_tokens: 100 })),
    );
    const calls = collectResponse(events).content.filter((block) => block.type === "tool_call");
    expect(calls.map((call) => call.type === "tool_call" && [call.id, call.arguments])).toEqual([
      ["toolu_01LtHJmixrs9NcWQkK8hu8hj", "{}"],
      ["toolu_01N8a4jWyf116qKTMqKKmjyt", "{}"],
    ]);
    expect(finishOf(events)).toEqual({ type: "finish", stopReason: "tool_use" });
  });

  test("a body that ends before message_stop errors the stream as a transient cut", async () => {
    const { events, error } = await streamOf(
      await adapter.chat(attempt("stream-cut", { stream: true, max_tokens: 9 })),
    );
    expect(joined(events, "text")).toBe("1\n2\n3\n4\n5");
    expect(finishOf(events)).toBeUndefined();
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ status: 502, kind: "transient" });
  });

  test("a connection lost mid-body is a transient cut too", async () => {
    const { events, error } = await streamOf(
      await adapter.chat(attempt("reset", { stream: true, max_tokens: 9 })),
    );
    expect(joined(events, "text")).toBe("1\n2\n3\n4\n5");
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ status: 502, kind: "transient" });
  });

  test("a prefill is sent as the final assistant turn", async () => {
    await streamOf(
      await adapter.chat(attempt("stream-text", { stream: true, max_tokens: 9 }, { prefill: "1\n2 " })),
    );
    const messages = lastReceived().body.messages as unknown[];
    expect(messages.at(-1)).toEqual({ role: "assistant", content: [{ type: "text", text: "1\n2" }] });
  });
});

describe("chat failures", () => {
  test("529 overloaded -> 503 transient", async () => {
    const error = await chatError(adapter.chat(attempt("overloaded", { max_tokens: 9 })));
    expect(error).toMatchObject({ status: 503, kind: "transient", code: "overloaded_error" });
  });

  test("429 -> rate_limited with the retry headers", async () => {
    const error = await chatError(adapter.chat(attempt("limited", { max_tokens: 9, stream: true })));
    expect(error).toMatchObject({
      status: 429,
      kind: "rate_limited",
      retryHints: { retryAfter: "12", retryAfterMs: "11500" },
    });
  });

  test("recorded 404 model not found -> misconfigured", async () => {
    const error = await chatError(adapter.chat(attempt("missing", { max_tokens: 9 })));
    expect(error).toMatchObject({ status: 404, kind: "misconfigured", type: "not_found_error" });
    expect(String((error as Error).message)).not.toContain("sk-ant-test");
  });

  test("prompt is too long -> context_length", async () => {
    const error = await chatError(adapter.chat(attempt("too-long", { max_tokens: 9 })));
    expect(error).toMatchObject({ status: 400, kind: "context_length" });
  });

  test("the attempt's signal bounds the wait for headers: its abort ends the call at once, with its reason", async () => {
    const controller = new AbortController();
    const pending = chatError(
      adapter.chat(attempt("slow", { max_tokens: 9 }, { signal: controller.signal })),
    );
    setTimeout(() => controller.abort(), 20);
    const aborted = await pending;
    expect(aborted).not.toBeInstanceOf(GatewayError);
    expect(aborted).toBe(controller.signal.reason);
  });

  test("a non-streaming body cut off, or not a message, fails retryably", async () => {
    const cut = await chatError(adapter.chat(attempt("reset", { max_tokens: 9 })));
    expect(cut).toBeInstanceOf(UpstreamConnectionError);
    const garbage = await chatError(adapter.chat(attempt("garbage", { max_tokens: 9 })));
    expect(garbage).toMatchObject({ status: 502, kind: "bad_response" });
  });

  test("nothing listening -> UpstreamConnectionError", async () => {
    const endpoint = `http://127.0.0.1:${closedPort()}`;
    const error = await chatError(
      adapter.chat(attempt("text", { max_tokens: 9 }, { provider: { ...provider, endpoint } })),
    );
    expect(error).toBeInstanceOf(UpstreamConnectionError);
  });
});

describe("listModels", () => {
  test("the model list through the SDK", async () => {
    const models = await adapter.listModels({
      provider,
      apiKey: "sk-ant-test",
      signal: new AbortController().signal,
    });
    expect(models).toEqual([
      { id: "claude-sonnet-4-5-20250929", owned_by: "anthropic", created: 1759104000 },
      { id: "claude-haiku-4-5-20251001", owned_by: "anthropic", created: 1759276800 },
    ]);
    expect(lastReceived().path).toStartWith("/v1/models");
  });

  test("a rejected key -> 401 error (a key other than the configured one is the caller's: its problem)", async () => {
    const error = await chatError(
      adapter.listModels({
        provider,
        apiKey: "wrong",
        signal: new AbortController().signal,
      }),
    );
    expect(error).toMatchObject({ status: 401, kind: "client" });
  });
});
