// End to end: the official openai SDK -> AISBF -> a mock Ollama native API replaying recorded real traffic.
import { describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { jsonResponse, ndjsonResponse } from "../src/providers/testing.ts";
import { providerOfType } from "./helpers/gateway.ts";
import { recordingsOf } from "./helpers/mock-upstream.ts";
import {
  apiErrorOf,
  assistantFromCompletion,
  assistantFromStream,
  chatTool,
  collectStream,
  type ReasoningFields,
} from "./helpers/openai-client.ts";
import { useProviderSuite } from "./helpers/provider-suite.ts";

const MODEL = "gemma3:1b";
const CLOUD_KEY = "ollama-test-canary-0001";

const { text: ollama, json } = recordingsOf("ollama");

interface SentMessage {
  role: string;
  content: string;
  [key: string]: unknown;
}
interface SentBody {
  model: string;
  stream: boolean;
  messages: SentMessage[];
  [key: string]: unknown;
}

/** The recorded cloud tool call's request named its tool getWeather with a location argument. */
const GET_WEATHER_TOOL = chatTool(
  "getWeather",
  { type: "object", properties: { location: { type: "string" } }, required: ["location"] },
  "Current weather for a location",
);

/** Text of a recorded NDJSON stream, read without the translator. */
function recordedText(name: string): string {
  return ollama(name)
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line).message?.content ?? "")
    .join("");
}

const suite = useProviderSuite<SentBody>({
  initial: () => ndjsonResponse(ollama("chat-stream-httprr.ndjson")),
  gateway: (url) => ({
    providers: {
      ollama: { ...providerOfType.ollama(url), models: [{ name: MODEL, context_window: 32768 }] },
      "ollama-cloud": {
        id: "ollama-cloud",
        name: "Ollama Cloud",
        type: "ollama",
        endpoint: `${url}/api`,
        api_key_required: true,
        api_key: CLOUD_KEY,
        models: [{ name: "gpt-oss:120b" }],
      },
    },
  }),
  directPath: "/api/ollama",
  directKey: "sk-client-caller-token",
});

describe("non-streaming", () => {
  test("a recorded tool call reaches the SDK field by field; the request is an /api/chat request", async () => {
    suite.upstream.handle(() => json("chat-tool-call-cloud-httprr.json"));
    const completion = await suite.client.chat.completions.create({
      model: "ollama-cloud/gpt-oss:120b",
      messages: [
        { role: "system", content: "You are a weather bot." },
        { role: "user", content: "What is the weather in San Francisco?" },
      ],
      tools: [GET_WEATHER_TOOL],
      temperature: 0.2,
      max_tokens: 200,
    });
    expect(completion.object).toBe("chat.completion");
    expect(completion.id).toStartWith("chatcmpl-");
    expect(completion.model).toBe("gpt-oss:120b");
    const message = completion.choices[0]?.message as OpenAI.ChatCompletionMessage & ReasoningFields;
    expect(message.role).toBe("assistant");
    // OpenAI sends null content next to tool calls when there is no text.
    expect(message.content).toBeNull();
    expect(message.reasoning_content).toBe(
      "User asks about weather in San Francisco. Use function getWeather.",
    );
    expect(message.tool_calls).toEqual([
      {
        id: "call_mo1wm122",
        type: "function",
        function: { name: "getWeather", arguments: JSON.stringify({ location: "San Francisco, CA" }) },
      },
    ]);
    // Ollama says done_reason "stop" after tool calls; OpenAI clients look for tool_calls.
    expect(completion.choices[0]?.finish_reason).toBe("tool_calls");
    expect(completion.usage).toEqual({ prompt_tokens: 145, completion_tokens: 44, total_tokens: 189 });

    const request = suite.sent(0);
    expect(request.method).toBe("POST");
    // The endpoint ends in /api, as Ollama Cloud's does; the path is still /api/chat.
    expect(request.path).toBe("/api/chat");
    expect(request.headers.get("authorization")).toBe(`Bearer ${CLOUD_KEY}`);
    expect(request.body).toEqual({
      model: "gpt-oss:120b",
      stream: false,
      messages: [
        { role: "system", content: "You are a weather bot." },
        { role: "user", content: "What is the weather in San Francisco?" },
      ],
      tools: [GET_WEATHER_TOOL],
      options: { temperature: 0.2, num_predict: 200 },
    });
  });

  test("/api/ollama takes the model name; every request field is translated; the caller's token passes", async () => {
    suite.upstream.handle(() => json("chat-tool-call-cloud-httprr.json"));
    await suite.direct.chat.completions.create({
      model: MODEL,
      max_completion_tokens: 64,
      temperature: 0.7,
      top_p: 0.8,
      seed: 42,
      presence_penalty: 0.1,
      frequency_penalty: 0.2,
      stop: "END",
      reasoning_effort: "high",
      response_format: {
        type: "json_schema",
        json_schema: {
          name: "weather",
          schema: { type: "object", properties: { temp: { type: "number" } } },
        },
      },
      tools: [GET_WEATHER_TOOL],
      tool_choice: "auto",
      messages: [
        { role: "developer", content: "Answer in JSON." },
        {
          role: "user",
          content: [
            { type: "text", text: "What is in this picture?" },
            { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
          ],
        },
      ],
    });
    const request = suite.sent(0);
    expect(request.path).toBe("/api/chat");
    // No key configured: the caller's own bearer token is passed through (see README, Endpoints).
    expect(request.headers.get("authorization")).toBe("Bearer sk-client-caller-token");
    expect(request.body).toEqual({
      model: MODEL,
      stream: false,
      messages: [
        { role: "system", content: "Answer in JSON." },
        { role: "user", content: "What is in this picture?", images: ["iVBORw0KGgo="] },
      ],
      tools: [GET_WEATHER_TOOL],
      format: { type: "object", properties: { temp: { type: "number" } } },
      options: {
        temperature: 0.7,
        top_p: 0.8,
        stop: ["END"],
        num_predict: 64,
        seed: 42,
        presence_penalty: 0.1,
        frequency_penalty: 0.2,
      },
      think: "high",
    });
  });

  test("n=2, logprobs, prompt_cache_key and an http image are dropped with warnings in x-aisbf-warnings", async () => {
    suite.upstream.handle(() => json("chat-tool-call-cloud-httprr.json"));
    const { response } = await suite.direct.chat.completions
      .create({
        model: MODEL,
        n: 2,
        logprobs: true,
        prompt_cache_key: "conversation-7",
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "Describe" },
              { type: "image_url", image_url: { url: "https://example.com/cat.jpg" } },
            ],
          },
        ],
      })
      .withResponse();
    const warnings = response.headers.get("x-aisbf-warnings") ?? "";
    expect(warnings).toContain("n > 1 was dropped");
    expect(warnings).toContain("'logprobs' was dropped");
    expect(warnings).toContain("'prompt_cache_key' was dropped");
    expect(warnings).toContain("image URLs other than base64 data: URLs were dropped");
    expect(suite.sent(0).body.messages).toEqual([{ role: "user", content: "Describe" }]);
    expect(suite.sent(0).body.logprobs).toBeUndefined();
  });
});

describe("streaming", () => {
  test("a recorded NDJSON stream reaches the SDK as OpenAI chunks, with usage last", async () => {
    const { data: stream, response } = await suite.client.chat.completions
      .create({
        model: `ollama/${MODEL}`,
        messages: [{ role: "user", content: "Count to 5" }],
        stream: true,
        stream_options: { include_usage: true },
      })
      .withResponse();
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const collected = await collectStream(stream);
    expect(collected.content).toBe(recordedText("chat-stream-httprr.ndjson"));
    expect(collected.content).toStartWith("Okay, here we go!\n\n1, 2");
    expect(collected.firstRole).toBe("assistant");
    expect(collected.finishReasons).toEqual(["stop"]);
    expect(collected.usage).toEqual({ prompt_tokens: 16, completion_tokens: 22, total_tokens: 38 });
    expect([...collected.ids]).toHaveLength(1);
    expect([...collected.models]).toEqual([MODEL]);
    expect([...collected.objects]).toEqual(["chat.completion.chunk"]);
    expect(collected.emptyChunks).toBe(0);
    expect(collected.chunks.at(-1)?.choices).toEqual([]);
    expect(suite.sent(0).body.stream).toBe(true);
  });

  test("a recorded stream cut by max_tokens: one chunk per line, finish length, [DONE] last, no usage", async () => {
    suite.upstream.handle(() => ndjsonResponse(ollama("chat-default-stream-httprr.ndjson")));
    const response = await fetch(`${suite.gateway.url}/api/ollama/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: MODEL,
        stream: true,
        max_tokens: 50,
        messages: [{ role: "user", content: "hi" }],
      }),
    });
    const text = await response.text();
    const events = text.split("\n\n").filter((event) => event !== "");
    expect(events.at(-1)).toBe("data: [DONE]");
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event.slice("data: ".length)));
    const lines = ollama("chat-default-stream-httprr.ndjson").split("\n").filter(Boolean);
    // Every recorded line with content is one chunk; the done line is the finish chunk.
    expect(chunks).toHaveLength(lines.length);
    expect(chunks.map((chunk) => chunk.choices[0].delta.content ?? "").join("")).toBe(
      recordedText("chat-default-stream-httprr.ndjson"),
    );
    // The recording ran out of num_predict: done_reason "length".
    expect(chunks.at(-1).choices[0].finish_reason).toBe("length");
    expect(chunks.every((chunk) => chunk.usage === undefined)).toBe(true);
    expect(suite.sent(0).body.options).toEqual({ num_predict: 50 });
  });

  test("a recorded tool call, streamed, arrives as tool_calls deltas (id and name, then arguments)", async () => {
    // The recorded answer is a single done:true line, which is also what a one-line stream looks like.
    suite.upstream.handle(() => ndjsonResponse(`${ollama("chat-tool-call-cloud-httprr.json").trim()}\n`));
    const collected = await collectStream(
      await suite.client.chat.completions.create({
        model: "ollama-cloud/gpt-oss:120b",
        tools: [GET_WEATHER_TOOL],
        messages: [{ role: "user", content: "What is the weather in San Francisco?" }],
        stream: true,
        stream_options: { include_usage: true },
      }),
    );
    expect(collected.toolCalls).toEqual([
      {
        index: 0,
        id: "call_mo1wm122",
        type: "function",
        name: "getWeather",
        arguments: JSON.stringify({ location: "San Francisco, CA" }),
      },
    ]);
    expect(collected.reasoning).toBe("User asks about weather in San Francisco. Use function getWeather.");
    expect(collected.content).toBe("");
    expect(collected.finishReasons).toEqual(["tool_calls"]);
    expect(collected.usage?.total_tokens).toBe(189);
  });
});

describe("multi-turn conversations", () => {
  test("the call and its result go back as assistant tool_calls and a tool message naming the tool", async () => {
    suite.upstream.handle(() => json("chat-tool-call-cloud-httprr.json"));
    const question: OpenAI.ChatCompletionMessageParam = {
      role: "user",
      content: "What is the weather in San Francisco?",
    };
    const first = await suite.client.chat.completions.create({
      model: "ollama-cloud/gpt-oss:120b",
      tools: [GET_WEATHER_TOOL],
      messages: [question],
    });
    const call = first.choices[0]?.message.tool_calls?.[0];
    if (!call) throw new Error("expected a tool call");

    suite.upstream.handle(() => ndjsonResponse(ollama("chat-stream-httprr.ndjson")));
    const second = await collectStream(
      await suite.client.chat.completions.create({
        model: "ollama-cloud/gpt-oss:120b",
        tools: [GET_WEATHER_TOOL],
        messages: [
          question,
          assistantFromCompletion(first),
          { role: "tool", tool_call_id: call.id, content: '{"temperature":"18C","sky":"fog"}' },
        ],
        stream: true,
      }),
    );
    expect(second.content).toBe(recordedText("chat-stream-httprr.ndjson"));

    expect(suite.sent(1).body.messages).toEqual([
      { role: "user", content: "What is the weather in San Francisco?" },
      {
        role: "assistant",
        content: "",
        // The thinking the client carried back keeps a thinking model's context.
        thinking: "User asks about weather in San Francisco. Use function getWeather.",
        tool_calls: [
          {
            id: "call_mo1wm122",
            function: { name: "getWeather", arguments: { location: "San Francisco, CA" } },
          },
        ],
      },
      {
        role: "tool",
        content: '{"temperature":"18C","sky":"fog"}',
        tool_call_id: "call_mo1wm122",
        tool_name: "getWeather",
      },
    ]);
  });

  test("a streamed call sent back the same way, over three turns", async () => {
    suite.upstream.handle(() => ndjsonResponse(`${ollama("chat-tool-call-cloud-httprr.json").trim()}\n`));
    const question: OpenAI.ChatCompletionMessageParam = { role: "user", content: "Weather in SF?" };
    const turn1 = await collectStream(
      await suite.direct.chat.completions.create({
        model: "gpt-oss:120b",
        tools: [GET_WEATHER_TOOL],
        messages: [question],
        stream: true,
      }),
    );
    suite.upstream.handle(() => ndjsonResponse(ollama("chat-stream-httprr.ndjson")));
    const history: OpenAI.ChatCompletionMessageParam[] = [
      question,
      assistantFromStream(turn1),
      { role: "tool", tool_call_id: turn1.toolCalls[0]?.id ?? "", content: "18C" },
    ];
    const turn2 = await collectStream(
      await suite.direct.chat.completions.create({
        model: "gpt-oss:120b",
        tools: [GET_WEATHER_TOOL],
        messages: history,
        stream: true,
      }),
    );
    await collectStream(
      await suite.direct.chat.completions.create({
        model: "gpt-oss:120b",
        tools: [GET_WEATHER_TOOL],
        messages: [...history, assistantFromStream(turn2), { role: "user", content: "Thanks" }],
        stream: true,
      }),
    );
    const expectedHistory = [
      { role: "user", content: "Weather in SF?" },
      {
        role: "assistant",
        content: "",
        thinking: "User asks about weather in San Francisco. Use function getWeather.",
        tool_calls: [
          {
            id: "call_mo1wm122",
            function: { name: "getWeather", arguments: { location: "San Francisco, CA" } },
          },
        ],
      },
      { role: "tool", content: "18C", tool_call_id: "call_mo1wm122", tool_name: "getWeather" },
    ];
    expect(suite.sent(1).body.messages).toEqual(expectedHistory);
    expect(suite.sent(2).body.messages).toEqual([
      ...expectedHistory,
      { role: "assistant", content: recordedText("chat-stream-httprr.ndjson") },
      { role: "user", content: "Thanks" },
    ]);
  });
});

describe("upstream errors", () => {
  test("404 model not found reaches the client as a 404 in OpenAI's shape", async () => {
    // Ollama's documented body for a model that is not pulled (docs/api/errors.mdx); none was recorded.
    suite.upstream.handle(() => jsonResponse({ error: "model 'llama9' not found" }, 404));
    const response = await fetch(`${suite.gateway.url}/api/ollama/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "llama9", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: {
        message: "model 'llama9' not found",
        type: "not_found_error",
        code: "model_not_found",
        param: null,
      },
    });
    expect(suite.upstream.requests).toHaveLength(1);
  });

  test("the recorded 400 'does not support tools' is a 400 for the SDK, not retried", async () => {
    const raw = ollama("error-400-model-does-not-support-tools-httprr.http");
    suite.upstream.handle(() => jsonResponse(raw.slice(raw.indexOf("\r\n\r\n") + 4), 400));
    const error = await apiErrorOf(
      suite.client.chat.completions.create({
        model: "ollama/gemma3-notools",
        tools: [GET_WEATHER_TOOL],
        messages: [{ role: "user", content: "hi" }],
      }),
    );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.code).toBe("tools_not_supported");
    expect(error.type).toBe("invalid_request_error");
    expect(error.message).toContain("does not support tools");
    expect(suite.upstream.requests).toHaveLength(1);
  });

  test("an error line in the middle of a stream, before content, is an error, not an empty answer", async () => {
    // Ollama's documented in-stream error line (docs/api/errors.mdx).
    suite.upstream.handle(() =>
      ndjsonResponse('{"error":"an error was encountered while running the model"}\n'),
    );
    const error = await apiErrorOf(
      suite.client.chat.completions.create({
        model: "ollama/gemma3-broken",
        messages: [{ role: "user", content: "hi" }],
        stream: true,
      }),
    );
    expect(error.status).toBe(502);
    expect(error.code).toBe("upstream_stream_error");
    expect(error.message).toContain("an error was encountered while running the model");
  });
});

describe("models", () => {
  test("GET /api/ollama/models lists /api/tags in OpenAI's shape", async () => {
    suite.upstream.handle((request) =>
      request.path === "/api/tags" ? json("tags-docs-example.json") : jsonResponse("{}", 500),
    );
    const page = await suite.direct.models.list();
    expect(page.data).toEqual([
      {
        id: "deepseek-r1:latest",
        object: "model",
        created: Math.floor(Date.parse("2025-05-10T08:06:48.639712648-07:00") / 1000),
        owned_by: "ollama",
      },
      {
        id: "llama3.2:latest",
        object: "model",
        created: Math.floor(Date.parse("2025-05-04T17:37:44.706015396-07:00") / 1000),
        owned_by: "ollama",
      },
    ]);
    expect(suite.sent(0).method).toBe("GET");
    expect(suite.sent(0).path).toBe("/api/tags");
  });
});
