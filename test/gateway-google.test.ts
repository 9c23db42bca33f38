// End to end: the official openai SDK -> AISBF -> a mock Gemini API replaying recorded real traffic.
import { describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { jsonResponse } from "../src/providers/testing.ts";
import { providerOfType } from "./helpers/gateway.ts";
import { recordingsOf } from "./helpers/mock-upstream.ts";
import {
  apiErrorOf,
  assistantFromCompletion,
  assistantFromStream,
  chatTool,
  collectStream,
  type ReasoningFields,
  ssePayloads,
} from "./helpers/openai-client.ts";
import { useProviderSuite } from "./helpers/provider-suite.ts";

const KEY = "AIzaSy-test-canary-0001";
const MODEL = "gemini-2.5-flash";

/** `sse` replays a recorded .sse body (CRLF CRLF separated, as Google sends it) event by event, bytes as recorded. */
const { text: google, json, sse } = recordingsOf("google");
/**
 * Recordings of other stream forms (a .chunks.jsonl, or the JSON-array form Gemini sends without alt=sse) as
 * the SSE events the gateway asks for (alt=sse): each recorded event's JSON text becomes one `data:` event.
 */
const eventsAsSse = (name: string): Response => sse(name, "\r\n\r\n");

interface Part {
  text?: string;
  thought?: boolean;
  thoughtSignature?: string;
  functionCall?: { name: string; args?: Record<string, unknown> };
  functionResponse?: { name: string; response: Record<string, unknown> };
  [key: string]: unknown;
}
interface SentContent {
  role: string;
  parts: Part[];
}
interface SentBody {
  contents: SentContent[];
  systemInstruction?: { parts: Part[] };
  generationConfig?: Record<string, unknown>;
  tools?: unknown[];
  toolConfig?: unknown;
  [key: string]: unknown;
}

const WEATHER_TOOL = chatTool(
  "weather",
  { type: "object", properties: { location: { type: "string" } }, required: ["location"] },
  "Weather for a city",
);

const GET_WEATHER_TOOL = chatTool("getWeather", {
  type: "object",
  properties: { location: { type: "string" } },
});

const PELICAN_TOOL = chatTool("pelican_name_generator", { type: "object", properties: {} });

const suite = useProviderSuite<SentBody>({
  initial: () => json("generate-content-text.json"),
  gateway: (url) => ({
    providers: {
      google: {
        ...providerOfType.google(url),
        api_key: KEY,
        models: [{ name: MODEL, context_window: 1048576 }],
      },
    },
  }),
  directPath: "/api/google",
});

describe("non-streaming", () => {
  test("a recorded text answer reaches the SDK field by field; the key travels only in its header", async () => {
    const { data: completion, response } = await suite.client.chat.completions
      .create({
        model: `google/${MODEL}`,
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: "Hello" },
        ],
      })
      .withResponse();
    expect(completion.object).toBe("chat.completion");
    // The canonical answer keeps Gemini's responseId (google/response.test.ts); the OpenAI rendering mints an id
    // in OpenAI's shape for an upstream id of another one, as it does for every provider.
    expect(completion.id).toStartWith("chatcmpl-");
    expect(completion.model).toBe("gemini-2.5-flash");
    expect(completion.choices).toHaveLength(1);
    expect(completion.choices[0]?.message.role).toBe("assistant");
    expect(completion.choices[0]?.message.content).toBe("Hello! How can I help you today?");
    expect(completion.choices[0]?.message.tool_calls).toBeUndefined();
    expect(completion.choices[0]?.finish_reason).toBe("stop");
    // Thinking tokens are completion tokens in OpenAI's accounting, and reported as reasoning tokens.
    expect(completion.usage).toEqual({
      prompt_tokens: 9,
      completion_tokens: 9 + 34,
      total_tokens: 52,
      completion_tokens_details: { reasoning_tokens: 34 },
    });
    expect(response.headers.get("x-aisbf-provider")).toBe("google");
    expect(response.headers.get("x-aisbf-warnings")).toBeNull();

    const request = suite.sent(0);
    expect(request.method).toBe("POST");
    expect(request.path).toBe(`/v1beta/models/${MODEL}:generateContent`);
    expect(request.search).toBe("");
    expect(request.headers.get("x-goog-api-key")).toBe(KEY);
    expect(request.headers.get("authorization")).toBeNull();
    expect(request.body).toEqual({
      contents: [{ role: "user", parts: [{ text: "Hello" }] }],
      systemInstruction: { parts: [{ text: "Be brief." }] },
      // The SDK always sends a generationConfig, empty when nothing was set.
      generationConfig: {},
    });
  });

  test("/api/google takes the upstream model name; every request field is translated", async () => {
    await suite.direct.chat.completions.create({
      model: MODEL,
      max_completion_tokens: 256,
      temperature: 0.3,
      top_p: 0.9,
      seed: 7,
      presence_penalty: 0.5,
      frequency_penalty: 0.25,
      stop: ["END"],
      reasoning_effort: "low",
      tools: [WEATHER_TOOL],
      tool_choice: "required",
      response_format: { type: "json_object" },
      messages: [
        { role: "developer", content: "Answer in JSON." },
        { role: "user", content: "Look at this." },
        {
          role: "user",
          content: [
            { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
            { type: "image_url", image_url: { url: "https://example.com/cat.jpg" } },
            { type: "text", text: "What is it?" },
          ],
        },
      ],
    });
    expect(suite.sent(0).body).toEqual({
      // Consecutive user messages are one Gemini user turn.
      contents: [
        {
          role: "user",
          parts: [
            { text: "Look at this." },
            { inlineData: { mimeType: "image/png", data: "iVBORw0KGgo=" } },
            { fileData: { fileUri: "https://example.com/cat.jpg", mimeType: "image/jpeg" } },
            { text: "What is it?" },
          ],
        },
      ],
      systemInstruction: { parts: [{ text: "Answer in JSON." }] },
      generationConfig: {
        maxOutputTokens: 256,
        temperature: 0.3,
        topP: 0.9,
        seed: 7,
        presencePenalty: 0.5,
        frequencyPenalty: 0.25,
        stopSequences: ["END"],
        responseMimeType: "application/json",
        thinkingConfig: { includeThoughts: true, thinkingBudget: 1024 },
      },
      tools: [
        {
          functionDeclarations: [
            {
              name: "weather",
              description: "Weather for a city",
              parameters: {
                type: "OBJECT",
                properties: { location: { type: "STRING" } },
                required: ["location"],
              },
            },
          ],
        },
      ],
      toolConfig: { functionCallingConfig: { mode: "ANY" } },
    });
  });

  test("a recorded function call: tool_calls with a stable id, name, JSON arguments; finish tool_calls", async () => {
    suite.upstream.handle(() => json("generate-content-function-call.json"));
    const completion = await suite.client.chat.completions.create({
      model: "google/gemini-3-pro-preview",
      messages: [{ role: "user", content: "Weather in San Francisco?" }],
      tools: [WEATHER_TOOL],
    });
    const message = completion.choices[0]?.message;
    expect(message?.content).toBeNull();
    expect(completion.choices[0]?.finish_reason).toBe("tool_calls");
    expect(message?.tool_calls).toHaveLength(1);
    const call = message?.tool_calls?.[0];
    expect(call?.type).toBe("function");
    expect(call?.type === "function" && call.function).toEqual({
      name: "weather",
      arguments: JSON.stringify({ location: "San Francisco" }),
    });
    // Gemini has no call ids: the gateway makes one, in the alphabet every provider accepts.
    expect(call?.id).toMatch(/^call_[A-Za-z0-9_-]+$/);
    expect(completion.usage).toEqual({
      prompt_tokens: 29,
      completion_tokens: 15 + 893,
      total_tokens: 937,
      completion_tokens_details: { reasoning_tokens: 893 },
    });
    expect(completion.model).toBe("gemini-3-pro-preview");
    expect(suite.sent(0).path).toBe("/v1beta/models/gemini-3-pro-preview:generateContent");
  });

  test("recorded MAX_TOKENS -> length; SAFETY -> content_filter with no content", async () => {
    suite.upstream.handle(() => json("generate-content-max-tokens.json"));
    const truncated = await suite.client.chat.completions.create({
      model: `google/${MODEL}`,
      max_tokens: 5,
      messages: [{ role: "user", content: "What is the capital of France?" }],
    });
    expect(truncated.choices[0]?.finish_reason).toBe("length");
    expect(truncated.choices[0]?.message.content).toBe("The capital of France is");
    expect(suite.sent(0).body.generationConfig).toEqual({ maxOutputTokens: 5 });

    suite.upstream.handle(() => json("generate-content-safety-blocked.json"));
    const blocked = await suite.client.chat.completions.create({
      model: "google/gemini-1.5-flash",
      messages: [{ role: "user", content: "..." }],
    });
    expect(blocked.choices[0]?.finish_reason).toBe("content_filter");
    expect(blocked.choices[0]?.message.content).toBeNull();
    expect(blocked.usage?.prompt_tokens).toBe(14);
  });

  test("recorded thinking answer: text in content, thought tokens in usage", async () => {
    suite.upstream.handle(() => json("generate-content-text-thinking.json"));
    const completion = await suite.client.chat.completions.create({
      model: "google/gemini-3-pro-preview",
      reasoning_effort: "high",
      messages: [{ role: "user", content: "How many r's in strawberry?" }],
    });
    expect(completion.choices[0]?.message.content).toBe(
      "There are **3** r's in strawberry.\n\nHere is the breakdown: st**r**awbe**rr**y.",
    );
    expect(completion.usage?.completion_tokens_details?.reasoning_tokens).toBe(244);
    expect(suite.sent(0).body.generationConfig?.thinkingConfig).toEqual({
      includeThoughts: true,
      thinkingBudget: 24576,
    });
  });

  test("n=2, user and logprobs are dropped with a warning in x-aisbf-warnings", async () => {
    const { data: completion, response } = await suite.client.chat.completions
      .create({
        model: `google/${MODEL}`,
        n: 2,
        user: "user-42",
        logprobs: true,
        messages: [{ role: "user", content: "Hello" }],
      })
      .withResponse();
    expect(completion.choices).toHaveLength(1);
    const warnings = response.headers.get("x-aisbf-warnings") ?? "";
    expect(warnings).toContain("n > 1 is not supported");
    expect(warnings).toContain("'user' has no Gemini equivalent");
    expect(warnings).toContain("Not supported by Gemini and dropped: logprobs.");
    expect(suite.sent(0).body.generationConfig).toEqual({});
  });

  test("tool JSON Schema keywords Gemini rejects are removed, with a warning", async () => {
    const { response } = await suite.client.chat.completions
      .create({
        model: `google/${MODEL}`,
        messages: [{ role: "user", content: "Fetch it" }],
        tools: [
          {
            type: "function",
            function: {
              name: "fetch",
              parameters: {
                type: "object",
                additionalProperties: false,
                properties: { url: { type: "string", format: "uri" } },
              },
            },
          },
        ],
      })
      .withResponse();
    expect(response.headers.get("x-aisbf-warnings")).toContain("Tool 'fetch': JSON Schema keywords");
    expect(suite.sent(0).body.tools).toEqual([
      {
        functionDeclarations: [
          { name: "fetch", parameters: { type: "OBJECT", properties: { url: { type: "STRING" } } } },
        ],
      },
    ]);
  });
});

describe("streaming", () => {
  test("a recorded SSE stream reaches the SDK as OpenAI chunks, with usage last", async () => {
    suite.upstream.handle(() => sse("stream-text-sse.sse"));
    const { data: stream, response } = await suite.client.chat.completions
      .create({
        model: "google/gemini-2.0-flash-exp",
        messages: [{ role: "user", content: "What is the capital of France?" }],
        stream: true,
        stream_options: { include_usage: true },
      })
      .withResponse();
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const collected = await collectStream(stream);
    expect(collected.content).toBe("The capital of France is Paris.\n");
    expect(collected.firstRole).toBe("assistant");
    expect(collected.finishReasons).toEqual(["stop"]);
    expect(collected.usage).toEqual({ prompt_tokens: 13, completion_tokens: 8, total_tokens: 21 });
    // One id for every chunk, in OpenAI's shape (the canonical start event carries Gemini's responseId).
    expect(collected.ids.size).toBe(1);
    expect([...collected.ids][0]).toStartWith("chatcmpl-");
    expect([...collected.models]).toEqual(["gemini-2.0-flash-exp"]);
    expect([...collected.objects]).toEqual(["chat.completion.chunk"]);
    expect(collected.emptyChunks).toBe(0);
    expect(collected.chunks.at(-1)?.choices).toEqual([]);

    expect(suite.sent(0).path).toBe("/v1beta/models/gemini-2.0-flash-exp:streamGenerateContent");
    expect(suite.sent(0).search).toBe("?alt=sse");
    expect(suite.sent(0).headers.get("x-goog-api-key")).toBe(KEY);
  });

  test("a recorded thinking stream: thought parts as reasoning_content, the answer as content", async () => {
    suite.upstream.handle(() => sse("stream-thinking-thought-parts.sse"));
    const stream = await suite.client.chat.completions.create({
      model: "google/gemini-2.5-pro",
      reasoning_effort: "medium",
      messages: [{ role: "user", content: "How do I cross the street?" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const collected = await collectStream(stream);
    let thoughts = "";
    let text = "";
    for (const event of ssePayloads(google("stream-thinking-thought-parts.sse"))) {
      const candidates = event.candidates as Array<{ content?: { parts?: Part[] } }>;
      for (const part of candidates[0]?.content?.parts ?? []) {
        if (part.thought) thoughts += part.text ?? "";
        else text += part.text ?? "";
      }
    }
    expect(thoughts.length).toBeGreaterThan(100);
    expect(collected.reasoning).toBe(thoughts);
    expect(collected.content).toBe(text);
    expect(collected.finishReasons).toEqual(["stop"]);
    expect(collected.usage).toEqual({
      prompt_tokens: 34,
      completion_tokens: 469 + 787,
      total_tokens: 34 + 469 + 787,
      completion_tokens_details: { reasoning_tokens: 787 },
    });
  });

  test("a recorded streamed thought and function call: reasoning, then a whole tool call", async () => {
    suite.upstream.handle(() => eventsAsSse("stream-jsonarray-thought-and-function-call.json"));
    const stream = await suite.direct.chat.completions.create({
      model: MODEL,
      tools: [PELICAN_TOOL],
      messages: [{ role: "user", content: "Name my pelican" }],
      stream: true,
    });
    const collected = await collectStream(stream);
    expect(collected.reasoning).toStartWith("**Generating Pelican Names**");
    expect(collected.content).toBe("");
    expect(collected.toolCalls).toHaveLength(1);
    expect(collected.toolCalls[0]).toMatchObject({
      index: 0,
      type: "function",
      name: "pelican_name_generator",
      arguments: "{}",
    });
    expect(collected.toolCalls[0]?.id).toMatch(/^call_[A-Za-z0-9_-]+$/);
    expect(collected.finishReasons).toEqual(["tool_calls"]);
  });

  test("recorded arguments streamed in pieces (partialArgs) assemble into two whole calls", async () => {
    suite.upstream.handle(() => eventsAsSse("stream-function-call-partial-args-vertex.chunks.jsonl"));
    const stream = await suite.client.chat.completions.create({
      model: "google/gemini-3.1-pro-preview",
      tools: [GET_WEATHER_TOOL],
      messages: [{ role: "user", content: "Weather in Boston and San Francisco?" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const collected = await collectStream(stream);
    expect(collected.toolCalls.map(({ index, name, arguments: args }) => ({ index, name, args }))).toEqual([
      { index: 0, name: "getWeather", args: JSON.stringify({ location: "Boston" }) },
      { index: 1, name: "getWeather", args: JSON.stringify({ location: "San Francisco" }) },
    ]);
    expect(new Set(collected.toolCalls.map((call) => call.id)).size).toBe(2);
    expect(collected.finishReasons).toEqual(["tool_calls"]);
    expect(collected.usage?.completion_tokens_details?.reasoning_tokens).toBe(132);
  });
});

describe("multi-turn conversations", () => {
  test("a function call and its result go back paired by name, with the thought signature", async () => {
    suite.upstream.handle(() => json("generate-content-function-call.json"));
    const question: OpenAI.ChatCompletionMessageParam = {
      role: "user",
      content: "Weather in San Francisco?",
    };
    const first = await suite.client.chat.completions.create({
      model: "google/gemini-3-pro-preview",
      tools: [WEATHER_TOOL],
      messages: [question],
    });
    const call = first.choices[0]?.message.tool_calls?.[0];
    if (!call) throw new Error("expected a tool call");

    suite.upstream.handle(() => json("generate-content-text.json"));
    const second = await suite.client.chat.completions.create({
      model: "google/gemini-3-pro-preview",
      tools: [WEATHER_TOOL],
      messages: [
        question,
        assistantFromCompletion(first),
        { role: "tool", tool_call_id: call.id, content: '{"temperature":18,"unit":"C"}' },
      ],
    });
    expect(second.choices[0]?.message.content).toBe("Hello! How can I help you today?");

    const recorded = JSON.parse(google("generate-content-function-call.json"));
    const recordedPart = recorded.candidates[0].content.parts[0];
    expect(suite.sent(1).body.contents).toEqual([
      { role: "user", parts: [{ text: "Weather in San Francisco?" }] },
      // The model turn as Gemini produced it: the call and its signature, byte for byte.
      { role: "model", parts: [recordedPart] },
      {
        role: "user",
        parts: [{ functionResponse: { name: "weather", response: { temperature: 18, unit: "C" } } }],
      },
    ]);
  });

  test("streamed thought + function call: the signature survives the trip through the SDK", async () => {
    suite.upstream.handle(() => eventsAsSse("stream-jsonarray-thought-and-function-call.json"));
    const question: OpenAI.ChatCompletionMessageParam = { role: "user", content: "Name my pelican, twice" };
    const turn1 = await collectStream(
      await suite.client.chat.completions.create({
        model: `google/${MODEL}`,
        tools: [PELICAN_TOOL],
        messages: [question],
        stream: true,
      }),
    );
    const assistant = assistantFromStream(turn1) as OpenAI.ChatCompletionAssistantMessageParam &
      ReasoningFields;
    expect(assistant.reasoning_content).toStartWith("**Generating Pelican Names**");

    suite.upstream.handle(() => sse("stream-text-sse.sse"));
    await collectStream(
      await suite.client.chat.completions.create({
        model: `google/${MODEL}`,
        tools: [PELICAN_TOOL],
        messages: [
          question,
          assistant,
          { role: "tool", tool_call_id: turn1.toolCalls[0]?.id ?? "", content: "Percy" },
        ],
        stream: true,
      }),
    );
    const recorded = JSON.parse(google("stream-jsonarray-thought-and-function-call.json"));
    const recordedPart = recorded[1].candidates[0].content.parts[0];
    expect(suite.sent(1).path).toBe(`/v1beta/models/${MODEL}:streamGenerateContent`);
    expect(suite.sent(1).body.contents).toEqual([
      { role: "user", parts: [{ text: "Name my pelican, twice" }] },
      // Thought summaries are not sent back (Gemini does not take them); the signed call is.
      { role: "model", parts: [recordedPart] },
      {
        role: "user",
        parts: [{ functionResponse: { name: "pelican_name_generator", response: { result: "Percy" } } }],
      },
    ]);
  });

  test("parallel calls of one function: results go back in the order of the calls, first call signed", async () => {
    suite.upstream.handle(() => eventsAsSse("stream-function-call-partial-args-vertex.chunks.jsonl"));
    const question: OpenAI.ChatCompletionMessageParam = {
      role: "user",
      content: "Weather in Boston and San Francisco?",
    };
    const turn1 = await collectStream(
      await suite.client.chat.completions.create({
        model: "google/gemini-3.1-pro-preview",
        tools: [GET_WEATHER_TOOL],
        messages: [question],
        stream: true,
      }),
    );
    const [boston, sanFrancisco] = turn1.toolCalls;
    if (!boston || !sanFrancisco) throw new Error("expected two tool calls");

    suite.upstream.handle(() => json("generate-content-text.json"));
    await suite.client.chat.completions.create({
      model: "google/gemini-3.1-pro-preview",
      tools: [GET_WEATHER_TOOL],
      messages: [
        question,
        assistantFromStream(turn1),
        // The client answers in its own order; Gemini pairs same-named calls by position.
        { role: "tool", tool_call_id: sanFrancisco.id, content: '{"city":"San Francisco","temp":18}' },
        { role: "tool", tool_call_id: boston.id, content: '{"city":"Boston","temp":4}' },
      ],
    });
    const firstEvent = ssePayloads(
      `data: ${google("stream-function-call-partial-args-vertex.chunks.jsonl").split("\n")[0]}`,
    )[0] as { candidates: Array<{ content: { parts: Part[] } }> };
    const signature = firstEvent.candidates[0]?.content.parts[0]?.thoughtSignature;
    expect(signature).toBeString();
    expect(suite.sent(1).body.contents.slice(1)).toEqual([
      {
        role: "model",
        parts: [
          { functionCall: { name: "getWeather", args: { location: "Boston" } }, thoughtSignature: signature },
          { functionCall: { name: "getWeather", args: { location: "San Francisco" } } },
        ],
      },
      {
        role: "user",
        parts: [
          { functionResponse: { name: "getWeather", response: { city: "Boston", temp: 4 } } },
          { functionResponse: { name: "getWeather", response: { city: "San Francisco", temp: 18 } } },
        ],
      },
    ]);
  });
});

describe("finish reasons that are not a plain stop", () => {
  /** The recorded text answer with another finishReason (and finishMessage), as Gemini sends them. */
  function recordedTextWith(finishReason: string, finishMessage?: string, parts?: unknown[]): Response {
    const body = JSON.parse(google("generate-content-text.json"));
    body.candidates[0].finishReason = finishReason;
    if (finishMessage) body.candidates[0].finishMessage = finishMessage;
    if (parts) body.candidates[0].content.parts = parts;
    return jsonResponse(body);
  }

  test("CONTINUATION is a truncation: finish_reason length, said in x-aisbf-warnings", async () => {
    suite.upstream.handle(() => recordedTextWith("CONTINUATION"));
    const { data: completion, response } = await suite.client.chat.completions
      .create({ model: `google/${MODEL}`, messages: [{ role: "user", content: "Hello" }] })
      .withResponse();
    expect(completion.choices[0]?.finish_reason).toBe("length");
    expect(completion.choices[0]?.message.content).toBe("Hello! How can I help you today?");
    expect(response.headers.get("x-aisbf-warnings") ?? "").toContain("CONTINUATION");
  });

  test("MALFORMED_FUNCTION_CALL with no content is a retryable 502 naming the reason", async () => {
    suite.upstream.handle(() =>
      recordedTextWith("MALFORMED_FUNCTION_CALL", "Malformed function call: weather(location=", []),
    );
    const error = await apiErrorOf(
      suite.client.chat.completions.create({
        model: "google/gemini-malformed",
        tools: [WEATHER_TOOL],
        messages: [{ role: "user", content: "Weather in Paris?" }],
      }),
    );
    expect(error.status).toBe(502);
    expect(error.code).toBe("malformed_function_call");
    expect(error.message).toContain("MALFORMED_FUNCTION_CALL");
    // Candidate.finishMessage reaches the client now that chat reads the wire itself (@google/genai 2.32 dropped it).
    expect(error.message).toContain("Malformed function call: weather(location=");
    // bad_response is retryable: the gateway asked again before giving up.
    expect(suite.upstream.requests.length).toBeGreaterThan(1);
  });
});

describe("Gemini call ids and multimodal tool results", () => {
  test("Gemini's functionCall.id goes back on the call and its result; a result's image goes as parts", async () => {
    // The recorded function call, with the id Gemini attaches to calls it wants answered by id.
    const recorded = JSON.parse(google("generate-content-function-call.json"));
    recorded.candidates[0].content.parts[0].functionCall.id = "fc-weather-1";
    suite.upstream.handle(() => jsonResponse(recorded));
    const question: OpenAI.ChatCompletionMessageParam = {
      role: "user",
      content: "Weather in San Francisco?",
    };
    const first = await suite.client.chat.completions.create({
      model: "google/gemini-3-pro-preview",
      tools: [WEATHER_TOOL],
      messages: [question],
    });
    const call = first.choices[0]?.message.tool_calls?.[0];
    if (!call) throw new Error("expected a tool call");
    expect(call.id).toMatch(/^gcall_[A-Za-z0-9_-]+$/);

    suite.upstream.handle(() => json("generate-content-text.json"));
    const { response } = await suite.client.chat.completions
      .create({
        model: "google/gemini-3-pro-preview",
        tools: [WEATHER_TOOL],
        messages: [
          question,
          assistantFromCompletion(first),
          {
            role: "tool",
            tool_call_id: call.id,
            content: [
              { type: "text", text: '{"temperature":18}' },
              // OpenAI's tool message type allows text parts only; clients send images there all the same.
              { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
            ] as unknown as OpenAI.ChatCompletionContentPartText[],
          },
        ],
      })
      .withResponse();
    expect(response.headers.get("x-aisbf-warnings")).toBeNull();
    const recordedPart = recorded.candidates[0].content.parts[0];
    expect(suite.sent(1).body.contents.slice(1)).toEqual([
      { role: "model", parts: [recordedPart] },
      {
        role: "user",
        parts: [
          {
            functionResponse: {
              id: "fc-weather-1",
              name: "weather",
              response: { temperature: 18 },
              parts: [{ inlineData: { mimeType: "image/png", data: "iVBORw0KGgo=" } }],
            },
          },
        ],
      },
    ]);
  });
});

describe("upstream errors", () => {
  test("recorded RESOURCE_EXHAUSTED reaches the client as a 429 with Retry-After from RetryInfo", async () => {
    suite.upstream.handle(() => jsonResponse(google("error-429-resource-exhausted-retryinfo.json"), 429));
    const response = await fetch(`${suite.gateway.url}/api/google/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "gemini-quota", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(response.status).toBe(429);
    // RetryInfo says 34.4s: rounded up to whole seconds; longer than the gateway waits, so no retry.
    expect(response.headers.get("retry-after")).toBe("35");
    const body = await response.json();
    expect(body.error.type).toBe("rate_limit_error");
    expect(body.error.code).toBe("rate_limit_exceeded");
    expect(body.error.param).toBeNull();
    expect(body.error.message).toContain("RESOURCE_EXHAUSTED");
    expect(body.error.message).toContain("You exceeded your current quota");
    expect(body.error.message).not.toContain(KEY);
    expect(suite.upstream.requests).toHaveLength(1);
  });

  test("the same error on a stream, before any content, is a 429 too", async () => {
    suite.upstream.handle(() => jsonResponse(google("error-429-resource-exhausted-retryinfo.json"), 429));
    const error = await apiErrorOf(
      suite.client.chat.completions.create({
        model: "google/gemini-quota-stream",
        messages: [{ role: "user", content: "hi" }],
        stream: true,
      }),
    );
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error.code).toBe("rate_limit_exceeded");
  });

  test("a recorded 404 model not found keeps its status", async () => {
    suite.upstream.handle(() => jsonResponse(google("error-404-model-not-found.json"), 404));
    const error = await apiErrorOf(
      suite.client.chat.completions.create({
        model: "google/gemini-3.6-flahs",
        messages: [{ role: "user", content: "hi" }],
      }),
    );
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error.type).toBe("not_found_error");
    expect(error.code).toBe("model_not_found");
    expect(error.message).toContain("models/gemini-3.6-flahs is not found");
  });
});

describe("models", () => {
  test("GET /api/google/models lists the recorded models that can chat, without 'models/'", async () => {
    // The recorded page names a next page; the mock ends the list there with an empty last page.
    suite.upstream.handle((request) => {
      if (request.path !== "/v1beta/models") return jsonResponse("{}", 500);
      return request.search.includes("pageToken=") ? jsonResponse({ models: [] }) : json("models-list.json");
    });
    const page = await suite.direct.models.list();
    const recorded = JSON.parse(google("models-list.json")) as {
      models: Array<{ name: string; inputTokenLimit?: number; supportedGenerationMethods?: string[] }>;
    };
    const chatModels = recorded.models.filter((model) =>
      (model.supportedGenerationMethods ?? []).includes("generateContent"),
    );
    expect(chatModels.length).toBeLessThan(recorded.models.length);
    expect(page.data.map((model) => model.id)).toEqual(
      chatModels.map((model) => model.name.replace(/^models\//, "")),
    );
    expect(page.data[0]).toMatchObject({
      id: "gemini-2.5-flash",
      object: "model",
      owned_by: "google",
      context_window: 1048576,
    });
    expect(suite.sent(0).method).toBe("GET");
    expect(suite.sent(0).headers.get("x-goog-api-key")).toBe(KEY);
    expect(suite.sent(0).search).not.toContain(KEY);
  });
});
