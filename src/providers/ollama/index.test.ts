// The Ollama adapter against the shared mock upstream on 127.0.0.1, replaying the recorded bytes.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type ChatRequest, chatRequestSchema } from "../../api/chat.ts";
import { GatewayError, UpstreamConnectionError } from "../../api/errors.ts";
import { chatClientRequest } from "../../api/openai-chat/client-request.ts";
import { emptyRequest } from "../../canonical/request.ts";
import { collectResponse, type StreamFrame } from "../../canonical/stream.ts";
import type { ProviderConfig } from "../../config/schema.ts";
import { silentLogger } from "../../log/logger.ts";
import {
  bodyOf,
  drain,
  fixtureBytes,
  fixtureEvents,
  fixtureHttp,
  closedPort as freePort,
  type MockUpstream,
  type RecordedRequest,
  rejection,
  startMock,
} from "../testing.ts";
import type { ChatAttempt, ChatResult, ProviderAdapter } from "../types.ts";
import { apiUrl, createOllamaAdapter } from "./index.ts";

const STREAM = fixtureBytes("ollama", "chat-stream-httprr.ndjson");
const CLOUD_TOOL_CALL = fixtureBytes("ollama", "chat-tool-call-cloud-httprr.json");
const TAGS = fixtureBytes("ollama", "tags-docs-example.json");
const STREAM_HEAD = new TextDecoder().decode(STREAM).split("\n").slice(0, 2).join("\n");
const STREAM_ERROR = '{"error":"an error was encountered while running the model"}';

/** Sends bytes in several pieces, so lines arrive split across network reads. */
const piecewise = (bytes: Uint8Array, size = 211) => bodyOf(bytes, { pieceSize: size });

function ndjson(body: ReadableStream<Uint8Array>): Response {
  return new Response(body, { headers: { "content-type": "application/x-ndjson" } });
}

/** The recorded 400 response, status, headers and body as they were on the wire. */
function recorded400(): Response {
  const { status, headers, body } = fixtureHttp(
    "ollama",
    "error-400-model-does-not-support-tools-httprr.http",
  );
  return new Response(body, { status, headers });
}

const scenarios: Record<string, () => Response | Promise<Response>> = {
  "stream-ok": () => ndjson(piecewise(STREAM)),
  "stream-cut": () => ndjson(piecewise(STREAM.slice(0, STREAM.indexOf(10, 1200) + 1))),
  // Two recorded lines, then the mid-stream error shape from docs/api/errors.mdx.
  "stream-error": () => ndjson(piecewise(new TextEncoder().encode(`${STREAM_HEAD}\n${STREAM_ERROR}\n`))),
  // Headers and the first lines go out, then the connection dies.
  "stream-reset": () => ndjson(bodyOf(STREAM.slice(0, 600), { failWith: new Error("connection reset") })),
  "tool-call": () =>
    new Response(CLOUD_TOOL_CALL, { headers: { "content-type": "application/json; charset=utf-8" } }),
  "no-tools": recorded400,
  "not-found": () => Response.json({ error: "model 'not-found' not found" }, { status: 404 }),
  "rate-limited": () =>
    Response.json({ error: "too many requests" }, { status: 429, headers: { "retry-after": "7" } }),
  overloaded: () => Response.json({ error: "server busy, please try again" }, { status: 503 }),
  slow: async () => {
    await Bun.sleep(400);
    return Response.json({});
  },
};

let upstream: MockUpstream;
let closedPort = 0;

function route(request: RecordedRequest): Response | Promise<Response> {
  if (request.path === "/api/tags")
    return new Response(TAGS, { headers: { "content-type": "application/json" } });
  const model = (request.body as { model?: string }).model ?? "";
  const scenario = scenarios[model];
  return scenario ? scenario() : Response.json({ error: `model '${model}' not found` }, { status: 404 });
}

beforeAll(() => {
  upstream = startMock(route);
  closedPort = freePort();
});

afterAll(async () => {
  await upstream.stop();
});

function provider(endpoint = `${upstream.url}/`): ProviderConfig {
  return {
    id: "ollama-test",
    name: "Ollama (mock)",
    type: "ollama",
    endpoint,
    api_key_required: false,
    headers: { "x-tenant": "t-1" },
    models: [{ name: "llama3.2", context_window: 131072 }],
  };
}

function adapter(): ProviderAdapter {
  let n = 0;
  return createOllamaAdapter({
    clock: () => 1_755_000_000_123,
    newId: (prefix) => `${prefix}${++n}`,
    logger: silentLogger,
  });
}

function attempt(
  model: string,
  body: Record<string, unknown>,
  overrides: Partial<ChatAttempt> = {},
): ChatAttempt {
  const request: ChatRequest = chatRequestSchema.parse({
    model: `ollama-test/${model}`,
    messages: [{ role: "user", content: "count to five" }],
    ...body,
  });
  return {
    provider: provider(),
    model,
    ...chatClientRequest(request),
    apiKey: undefined,
    keySource: "none",
    signal: new AbortController().signal,
    ...overrides,
  };
}

async function collect(result: ChatResult): Promise<StreamFrame[]> {
  if (result.kind !== "frames") throw new Error("expected frames");
  const { items, error } = await drain<StreamFrame>(result.frames);
  if (error !== undefined) throw error;
  return items;
}

/** What the mock received last, in the fields these tests check. */
function lastReceived() {
  const last = upstream.requests.at(-1);
  if (!last) throw new Error("the mock received nothing");
  return {
    path: last.path,
    body: last.body,
    authorization: last.headers.get("authorization"),
    custom: last.headers.get("x-tenant"),
  };
}

describe("chat, streaming", () => {
  test("replays the recorded stream as canonical frames: start, the text, usage and the finish", async () => {
    const frames = await collect(await adapter().chat(attempt("stream-ok", { stream: true })));
    const lines = fixtureEvents("ollama", "chat-stream-httprr.ndjson");
    // One frame per recorded line (every line but the done line has content).
    expect(frames).toHaveLength(lines.length);
    expect(collectResponse(frames.flatMap((frame) => frame.events))).toEqual({
      id: "chatcmpl-1",
      model: "gemma3:1b",
      created: 1_755_000_000,
      content: [{ type: "text", text: "Okay, here we go!\n\n1, 2, 3, 4, 5\n" }],
      stopReason: "end_turn",
      usage: { inputTokens: 16, outputTokens: 22 },
    });

    const sent = lastReceived();
    expect(sent.path).toBe("/api/chat");
    expect(sent.body).toEqual({
      model: "stream-ok",
      stream: true,
      messages: [{ role: "user", content: "count to five" }],
    });
    expect(sent.authorization).toBeNull();
    expect(sent.custom).toBe("t-1");
  });

  test("a body that ends before done:true errors the stream with a transient 502", async () => {
    const result = await adapter().chat(attempt("stream-cut", { stream: true }));
    const error = await rejection(collect(result));
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).status).toBe(502);
    expect((error as GatewayError).kind).toBe("transient");
    expect((error as GatewayError).code).toBe("stream_cut");
  });

  test("a connection that breaks mid-body errors the stream as cut, not as a raw fetch error", async () => {
    const error = await rejection(collect(await adapter().chat(attempt("stream-reset", { stream: true }))));
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe("stream_cut");
    expect((error as GatewayError).kind).toBe("transient");
  });

  test("an in-stream error line errors the stream as transient", async () => {
    const error = await rejection(collect(await adapter().chat(attempt("stream-error", { stream: true }))));
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).kind).toBe("transient");
    expect((error as GatewayError).message).toBe("an error was encountered while running the model");
  });
});

describe("chat, not streaming", () => {
  test("a multi-turn tool conversation goes out translated and the recorded tool call comes back", async () => {
    const result = await adapter().chat(
      attempt(
        "tool-call",
        {
          messages: [
            { role: "system", content: "You are a weather bot." },
            { role: "user", content: "Weather in SF?" },
            {
              role: "assistant",
              content: null,
              tool_calls: [
                {
                  id: "call_1",
                  type: "function",
                  function: { name: "getWeather", arguments: '{"location":"SF"}' },
                },
              ],
            },
            { role: "tool", tool_call_id: "call_1", content: '{"temp_f":61}' },
            { role: "user", content: "And in San Francisco, CA?" },
          ],
          tools: [
            {
              type: "function",
              function: {
                name: "getWeather",
                parameters: { type: "object", properties: { location: { type: "string" } } },
              },
            },
          ],
          temperature: 0,
          max_tokens: 100,
        },
        { apiKey: "cloud-key-123" },
      ),
    );
    expect(result.kind).toBe("answer");
    if (result.kind !== "answer") return;
    expect(result.warnings).toEqual([]);
    expect(result.raw).toBeUndefined();
    expect(result.response()).toEqual({
      id: "chatcmpl-1",
      model: "gpt-oss:120b",
      created: 1_755_000_000,
      content: [
        {
          type: "thinking",
          text: "User asks about weather in San Francisco. Use function getWeather.",
          origin: "ollama",
        },
        {
          type: "tool_call",
          id: "call_mo1wm122",
          name: "getWeather",
          arguments: '{"location":"San Francisco, CA"}',
        },
      ],
      stopReason: "tool_use",
      usage: { inputTokens: 145, outputTokens: 44 },
    });

    const sent = lastReceived();
    expect(sent.authorization).toBe("Bearer cloud-key-123");
    expect(sent.body).toEqual({
      model: "tool-call",
      stream: false,
      messages: [
        { role: "system", content: "You are a weather bot." },
        { role: "user", content: "Weather in SF?" },
        {
          role: "assistant",
          content: "",
          tool_calls: [{ id: "call_1", function: { name: "getWeather", arguments: { location: "SF" } } }],
        },
        { role: "tool", content: '{"temp_f":61}', tool_name: "getWeather", tool_call_id: "call_1" },
        { role: "user", content: "And in San Francisco, CA?" },
      ],
      tools: [
        {
          type: "function",
          function: {
            name: "getWeather",
            parameters: { type: "object", properties: { location: { type: "string" } } },
          },
        },
      ],
      options: { temperature: 0, num_predict: 100 },
    });
  });

  test("warnings for dropped fields come back with the result", async () => {
    const result = await adapter().chat(
      attempt("tool-call", {
        messages: [
          { role: "user", content: [{ type: "image_url", image_url: { url: "https://example.com/a.png" } }] },
        ],
      }),
    );
    expect(result.warnings).toEqual([
      "image URLs other than base64 data: URLs were dropped (Ollama only accepts inline images)",
    ]);
  });

  test("the body is built from the canonical request (never the legacy Chat body), with the prefill last", async () => {
    const canonical = emptyRequest([{ role: "user", content: [{ type: "text", text: "tell a story" }] }]);
    canonical.maxOutputTokens = 20;
    await adapter().chat(attempt("tool-call", {}, { canonical, prefill: "Once upon a" }));
    expect(lastReceived().body).toEqual({
      model: "tool-call",
      stream: false,
      messages: [
        { role: "user", content: "tell a story" },
        { role: "assistant", content: "Once upon a" },
      ],
      options: { num_predict: 20 },
    });
  });
});

describe("chat, errors", () => {
  test("the recorded 400 'does not support tools' -> unsupported, status 400", async () => {
    const error = await rejection(
      adapter().chat(attempt("no-tools", { tools: [{ type: "function", function: { name: "f" } }] })),
    );
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).status).toBe(400);
    expect((error as GatewayError).kind).toBe("unsupported");
    expect((error as GatewayError).message).toBe(
      "registry.ollama.ai/library/gemma3:1b does not support tools",
    );
  });

  test("404 model not found -> misconfigured", async () => {
    const error = await rejection(adapter().chat(attempt("not-found", {})));
    expect((error as GatewayError).status).toBe(404);
    expect((error as GatewayError).kind).toBe("misconfigured");
  });

  test("429 -> rate_limited with its Retry-After; 503 -> transient", async () => {
    const limited = (await rejection(adapter().chat(attempt("rate-limited", {})))) as GatewayError;
    expect([limited.status, limited.kind, limited.retryHints?.retryAfter]).toEqual([
      429,
      "rate_limited",
      "7",
    ]);
    const busy = (await rejection(adapter().chat(attempt("overloaded", { stream: true })))) as GatewayError;
    expect([busy.status, busy.kind]).toEqual([503, "transient"]);
  });

  test("nothing listening -> UpstreamConnectionError", async () => {
    const error = await rejection(
      adapter().chat(attempt("stream-ok", {}, { provider: provider(`http://127.0.0.1:${closedPort}`) })),
    );
    expect(error).toBeInstanceOf(UpstreamConnectionError);
    expect((error as GatewayError).kind).toBe("transient");
  });

  test("an abort of the attempt's signal (routing's deadline, the client leaving) ends the wait with its reason", async () => {
    const controller = new AbortController();
    const pending = adapter().chat(attempt("slow", {}, { signal: controller.signal }));
    controller.abort();
    const error = await rejection(pending);
    expect(error).not.toBeInstanceOf(GatewayError);
    expect((error as Error).name).toBe("AbortError");
    expect(error).toBe(controller.signal.reason);
  });
});

describe("listModels", () => {
  test("GET /api/tags -> entries", async () => {
    const models = await adapter().listModels({
      provider: provider(),
      apiKey: undefined,
      signal: new AbortController().signal,
    });
    expect(models.map((model) => model.id)).toEqual(["deepseek-r1:latest", "llama3.2:latest"]);
    expect(models[1]).toMatchObject({ owned_by: "ollama-test", context_window: 131072 });
    expect(lastReceived().path).toBe("/api/tags");
  });

  test("an unreachable server rejects so the caller can fall back to the configured list", async () => {
    const error = await rejection(
      adapter().listModels({
        provider: provider(`http://127.0.0.1:${closedPort}`),
        apiKey: undefined,
        signal: new AbortController().signal,
      }),
    );
    expect(error).toBeInstanceOf(UpstreamConnectionError);
  });
});

test("apiUrl accepts the endpoint with or without a trailing slash or /api", () => {
  for (const endpoint of ["http://h:11434", "http://h:11434/", "http://h:11434/api", "http://h:11434/api/"]) {
    expect(apiUrl(endpoint, "/api/chat")).toBe("http://h:11434/api/chat");
  }
});
