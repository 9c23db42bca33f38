// The Gemini adapter against the shared mock upstream on 127.0.0.1 replaying recorded bytes: chat over fetch, the
// model list through the real SDK.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type ChatRequest, chatRequestSchema } from "../../api/chat.ts";
import { GatewayError, UpstreamConnectionError } from "../../api/errors.ts";
import { chatClientRequest } from "../../api/openai-chat/client-request.ts";
import { collectResponse, type StreamEvent, type StreamFrame } from "../../canonical/stream.ts";
import type { ProviderConfig } from "../../config/schema.ts";
import { silentLogger } from "../../log/logger.ts";
import {
  bodyOf,
  closedPort,
  counterIds,
  drain,
  fixtureEvents,
  fixtureJson,
  fixtureSse,
  fixtureText,
  type MockUpstream,
  type RecordedRequest,
  rejection,
  startMock,
} from "../testing.ts";
import type { ChatAttempt, ChatResult } from "../types.ts";
import { createGoogleAdapter } from "./index.ts";
import { geminiResponseSchema } from "./wire.ts";

const KEY = "AIzaTEST-not-a-real-key-0123456789";

function json(body: string, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(body, {
    status,
    headers: { "content-type": "application/json; charset=UTF-8", ...headers },
  });
}

function sse(parts: string[]): Response {
  return new Response(bodyOf(parts, { paceMs: 1 }), { headers: { "content-type": "text/event-stream" } });
}

/** The first `count` events of a recorded SSE body (CRLF CRLF separated, as Google sends them). */
function firstEvents(raw: string, count: number): string {
  return raw
    .split("\r\n\r\n")
    .slice(0, count)
    .map((event) => `${event}\r\n\r\n`)
    .join("");
}

async function route(request: RecordedRequest): Promise<Response> {
  const url = urlOf(request);
  if (url.pathname === "/v1beta/models") {
    if (url.searchParams.get("pageToken")) {
      const first = fixtureJson("google", "models-list.json") as { models: unknown[] };
      return json(JSON.stringify({ models: first.models.slice(0, 1) }));
    }
    return json(fixtureText("google", "models-list.json"));
  }
  const model = /^\/v1beta\/models\/([^:]+):/.exec(url.pathname)?.[1];
  const textSse = fixtureText("google", "stream-text-sse.sse");
  switch (model) {
    case "text":
      return json(fixtureText("google", "generate-content-text.json"));
    case "tool":
      return json(fixtureText("google", "generate-content-function-call.json"));
    case "stream-text":
      return sse(textSse.split(/(?<=\r\n\r\n)/));
    case "stream-tool":
      return sse([fixtureSse("google", "stream-jsonarray-thought-and-function-call.json", "\r\n\r\n")]);
    case "stream-cut":
      return sse([firstEvents(textSse, 2)]);
    case "stream-cut-mid-event":
      return sse([firstEvents(textSse, 1), textSse.split("\r\n\r\n")[1]?.slice(0, 40) ?? ""]);
    case "stream-error-event":
      return sse([
        firstEvents(textSse, 1),
        `data: ${fixtureText("google", "error-429-resource-exhausted-retryinfo.json").replace(/\s+/g, " ")}\r\n\r\n`,
      ]);
    case "rate":
      return json(fixtureText("google", "error-429-resource-exhausted-retryinfo.json"), 429, {
        "retry-after": "7",
      });
    case "missing":
      return json(fixtureText("google", "error-404-model-not-found.json"), 404);
    case "forbidden": {
      const raw = fixtureText("google", "error-403-permission-denied-httprr.http");
      return json(raw.slice(raw.indexOf("\r\n\r\n") + 4), 403);
    }
    case "unavailable":
      return json(
        JSON.stringify({ error: { code: 503, message: "The model is overloaded.", status: "UNAVAILABLE" } }),
        503,
      );
    case "slow":
      await Bun.sleep(300);
      return json(fixtureText("google", "generate-content-text.json"));
    default:
      return json("{}", 500);
  }
}

/** The request's URL as the upstream saw it. */
const urlOf = (request: RecordedRequest) => new URL(`${request.path}${request.search}`, "http://upstream");

let upstream: MockUpstream;
let provider: ProviderConfig;
const adapter = createGoogleAdapter({
  clock: () => 1_754_000_000_000,
  newId: counterIds(),
  logger: silentLogger,
});

beforeAll(() => {
  upstream = startMock(route);
  provider = {
    id: "google",
    name: "Google Gemini",
    type: "google",
    endpoint: upstream.url,
    api_key_required: true,
    api_key: KEY,
    headers: { "X-Tenant": "t1" },
  };
});

afterAll(async () => {
  await upstream.stop();
});

function chatRequest(body: Record<string, unknown>): ChatRequest {
  return chatRequestSchema.parse({ model: "google/x", messages: [{ role: "user", content: "Hi" }], ...body });
}

function attempt(
  model: string,
  body: Record<string, unknown> = {},
  overrides: Partial<ChatAttempt> = {},
): ChatAttempt {
  return {
    provider,
    model,
    ...chatClientRequest(chatRequest(body)),
    apiKey: KEY,
    keySource: "configured",
    signal: new AbortController().signal,
    ...overrides,
  };
}

/** What the mock received last, its URL parsed. */
function lastReceived() {
  const last = upstream.requests.at(-1);
  if (!last) throw new Error("the mock received nothing");
  return { ...last, url: urlOf(last) };
}

async function streamOf(result: ChatResult): Promise<{ events: StreamEvent[]; error?: unknown }> {
  if (result.kind !== "frames") throw new Error("expected frames");
  const { items, error } = await drain<StreamFrame>(result.frames);
  return { events: items.flatMap((frame) => frame.events), error };
}

/** The text deltas of a stream, in order. */
function textDeltas(events: StreamEvent[]): string[] {
  return events.flatMap((event) =>
    event.type === "block_delta" && event.delta.type === "text" ? [event.delta.text] : [],
  );
}

describe("chat, not streamed", () => {
  test("text answer; key only in the x-goog-api-key header; provider headers sent", async () => {
    const result = await adapter.chat(attempt("text", { temperature: 0.3 }));
    expect(result.kind).toBe("answer");
    if (result.kind !== "answer") return;
    expect(result.response().content).toEqual([{ type: "text", text: "Hello! How can I help you today?" }]);
    expect(result.response().model).toBe("gemini-2.5-flash");
    expect(result.response().stopReason).toBe("end_turn");
    expect(result.response().usage).toEqual({ inputTokens: 9, outputTokens: 43, reasoningTokens: 34 });
    const sent = lastReceived();
    expect(sent.method).toBe("POST");
    expect(sent.url.pathname).toBe("/v1beta/models/text:generateContent");
    expect(sent.url.search).toBe("");
    expect(sent.url.toString()).not.toContain(KEY);
    expect(sent.headers.get("x-goog-api-key")).toBe(KEY);
    expect(sent.headers.get("x-tenant")).toBe("t1");
    expect(sent.body).toEqual({
      contents: [{ role: "user", parts: [{ text: "Hi" }] }],
      generationConfig: { temperature: 0.3 },
    });
  });

  test("no key: no key header at all (and none read from the environment)", async () => {
    const saved = process.env.GEMINI_API_KEY;
    process.env.GEMINI_API_KEY = "AIzaFROM-THE-ENVIRONMENT-0123456789";
    try {
      await adapter.chat(attempt("text", {}, { apiKey: undefined }));
    } finally {
      if (saved === undefined) delete process.env.GEMINI_API_KEY;
      else process.env.GEMINI_API_KEY = saved;
    }
    expect(lastReceived().headers.has("x-goog-api-key")).toBe(false);
    expect(lastReceived().url.search).toBe("");
  });

  test("a multi-turn tool conversation: call -> result -> call, body checked on the wire", async () => {
    const tools = [
      {
        type: "function",
        function: {
          name: "weather",
          parameters: {
            type: "object",
            additionalProperties: false,
            properties: { location: { type: "string" } },
          },
        },
      },
    ];
    const first = await adapter.chat(attempt("tool", { tools, tool_choice: "required" }));
    if (first.kind !== "answer") throw new Error("expected an answer");
    expect(first.response().stopReason).toBe("tool_use");
    // The calls as an OpenAI client sends them back: id, name and arguments only.
    const calls = first
      .response()
      .content.flatMap((block) =>
        block.type === "tool_call"
          ? [{ id: block.id, type: "function", function: { name: block.name, arguments: block.arguments } }]
          : [],
      );
    expect(calls[0]?.function).toEqual({ name: "weather", arguments: '{"location":"San Francisco"}' });
    expect(first.warnings).toEqual([
      "Tool 'weather': JSON Schema keywords Gemini rejects were removed: additionalProperties.",
    ]);
    expect(lastReceived().body).toMatchObject({
      tools: [
        {
          functionDeclarations: [
            { name: "weather", parameters: { type: "OBJECT", properties: { location: { type: "STRING" } } } },
          ],
        },
      ],
      toolConfig: { functionCallingConfig: { mode: "ANY" } },
    });

    const messages = [
      { role: "system", content: "You are a weather bot." },
      { role: "user", content: "Weather in SF?" },
      { role: "assistant", content: null, tool_calls: calls },
      { role: "tool", tool_call_id: calls[0]?.id, content: '{"temp_c":18}' },
    ];
    const second = await adapter.chat(attempt("text", { tools, messages }));
    expect(second.kind).toBe("answer");
    expect(lastReceived().body).toEqual({
      contents: [
        { role: "user", parts: [{ text: "Weather in SF?" }] },
        {
          role: "model",
          parts: [
            {
              functionCall: { name: "weather", args: { location: "San Francisco" } },
              thoughtSignature:
                "EskgCsYgAb4+9vtF7/499YQS2bjZs3xcQI+iAl+ILn29nK1j0Kg6su7QsUUUk3nrAAfnS2w5WiVvlcCqu9fAebJ2cvfaEyBahEt5",
            },
          ],
        },
        { role: "user", parts: [{ functionResponse: { name: "weather", response: { temp_c: 18 } } }] },
      ],
      systemInstruction: { parts: [{ text: "You are a weather bot." }] },
      generationConfig: {},
      tools: [
        {
          functionDeclarations: [
            { name: "weather", parameters: { type: "OBJECT", properties: { location: { type: "STRING" } } } },
          ],
        },
      ],
    });
  });
});

describe("chat, streamed", () => {
  test("text stream replayed byte for byte: one text block, usage, end_turn", async () => {
    const result = await adapter.chat(
      attempt("stream-text", { stream: true, stream_options: { include_usage: true } }),
    );
    const { events, error } = await streamOf(result);
    expect(error).toBeUndefined();
    const sent = lastReceived();
    expect(sent.url.pathname).toBe("/v1beta/models/stream-text:streamGenerateContent");
    expect(sent.url.searchParams.get("alt")).toBe("sse");
    expect(sent.url.searchParams.has("key")).toBe(false);
    expect(events[0]).toEqual({
      type: "start",
      id: "w1peaMz6INOvnvgPgYfPiQY",
      model: "gemini-2.0-flash-exp",
      created: 1_754_000_000,
    });
    expect(textDeltas(events).join("")).toBe("The capital of France is Paris.\n");
    const response = collectResponse(events);
    expect(response.stopReason).toBe("end_turn");
    expect(response.usage).toEqual({ inputTokens: 13, outputTokens: 8 });
    expect(events.at(-1)).toEqual({ type: "finish", stopReason: "end_turn" });
  });

  test("a streamed tool call after a thought", async () => {
    const { events, error } = await streamOf(await adapter.chat(attempt("stream-tool", { stream: true })));
    expect(error).toBeUndefined();
    const response = collectResponse(events);
    expect(response.content[0]).toMatchObject({ type: "thinking", origin: "google" });
    // The recorded call's signature rides on the block (for dialects that keep blocks) as well as in its id.
    const recorded = geminiResponseSchema.parse(
      fixtureEvents("google", "stream-jsonarray-thought-and-function-call.json")[1],
    );
    const signature = recorded.candidates?.[0]?.content?.parts?.[0]?.thoughtSignature ?? "";
    expect(signature).not.toBe("");
    expect(response.content[1]).toMatchObject({
      type: "tool_call",
      name: "pelican_name_generator",
      arguments: "{}",
      signature,
    });
    expect(response.stopReason).toBe("tool_use");
  });

  test("a cut stream (body ends between events) errors: 502 transient, no finish", async () => {
    const { events, error } = await streamOf(await adapter.chat(attempt("stream-cut", { stream: true })));
    expect(textDeltas(events)).toEqual(["The", " capital of France"]);
    expect(events.some((event) => event.type === "finish")).toBe(false);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ status: 502, kind: "transient", code: "stream_cut" });
  });

  test("a stream cut inside an event errors the same way", async () => {
    const { events, error } = await streamOf(
      await adapter.chat(attempt("stream-cut-mid-event", { stream: true })),
    );
    expect(textDeltas(events)).toEqual(["The"]);
    expect(error).toMatchObject({ status: 502, kind: "transient", code: "stream_cut" });
  });

  test("an in-stream error event errors the stream with its kind (RESOURCE_EXHAUSTED -> rate_limited)", async () => {
    const result = await adapter.chat(attempt("stream-error-event", { stream: true }));
    if (result.kind !== "frames") throw new Error("expected frames");
    const { items, error } = await drain<StreamFrame>(result.frames);
    expect(items).toHaveLength(1);
    expect(error).toMatchObject({ status: 429, kind: "rate_limited", retryHints: { retryDelay: "34.4s" } });
  });
});

describe("errors", () => {
  test("429 RESOURCE_EXHAUSTED -> rate_limited with RetryInfo and Retry-After; no SDK retry", async () => {
    const before = upstream.requests.length;
    const error = await rejection(adapter.chat(attempt("rate")));
    expect(upstream.requests.length - before).toBe(1);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({
      status: 429,
      kind: "rate_limited",
      retryHints: { retryDelay: "34.4s", retryAfter: "7" },
    });
    expect(String((error as Error).message)).not.toContain(KEY);
  });

  test("503 UNAVAILABLE (streamed request) -> transient, one attempt only", async () => {
    const before = upstream.requests.length;
    const error = await rejection(adapter.chat(attempt("unavailable", { stream: true })));
    expect(upstream.requests.length - before).toBe(1);
    expect(error).toMatchObject({ status: 503, kind: "transient" });
  });

  test("404 model -> misconfigured; 403 -> kindForStatus with a configured key", async () => {
    expect(await rejection(adapter.chat(attempt("missing")))).toMatchObject({
      status: 404,
      kind: "misconfigured",
      code: "model_not_found",
    });
    expect(await rejection(adapter.chat(attempt("forbidden")))).toMatchObject({
      status: 403,
      kind: "misconfigured",
    });
  });

  test("the attempt's signal is the deadline: its abort ends the wait with its reason, not a gateway error", async () => {
    const controller = new AbortController();
    const pending = adapter.chat(attempt("slow", {}, { signal: controller.signal }));
    setTimeout(() => controller.abort(), 20);
    const error = await rejection(pending);
    expect(error).not.toBeInstanceOf(GatewayError);
    expect((error as Error).name).toBe("AbortError");
    expect(error).toBe(controller.signal.reason);
  });

  test("connection refused -> UpstreamConnectionError", async () => {
    const endpoint = `http://127.0.0.1:${closedPort()}`;
    const error = await rejection(adapter.chat(attempt("text", {}, { provider: { ...provider, endpoint } })));
    expect(error).toBeInstanceOf(UpstreamConnectionError);
    expect(error).toMatchObject({ status: 502, kind: "transient" });
  });
});

describe("listModels", () => {
  test("pages through models.list; ids without the models/ prefix; key in the header", async () => {
    const models = await adapter.listModels({ provider, apiKey: KEY, signal: new AbortController().signal });
    const listCalls = upstream.requests
      .map((entry) => ({ ...entry, url: urlOf(entry) }))
      .filter((entry) => entry.url.pathname === "/v1beta/models");
    expect(listCalls.at(-2)?.url.searchParams.get("pageSize")).toBe("1000");
    expect(listCalls.at(-1)?.url.searchParams.get("pageToken")).toBe(
      "Ch9tb2RlbHMvdmVvLTMuMS1nZW5lcmF0ZS1wcmV2aWV3",
    );
    for (const call of listCalls) {
      expect(call.url.searchParams.has("key")).toBe(false);
      expect(call.headers.get("x-goog-api-key")).toBe(KEY);
    }
    expect(models[0]).toEqual({ id: "gemini-2.5-flash", owned_by: "google", context_window: 1_048_576 });
    expect(models.at(-1)?.id).toBe("gemini-2.5-flash");
    expect(models.every((model) => !model.id.startsWith("models/"))).toBe(true);
  });
});
