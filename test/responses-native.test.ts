// Responses in, Responses out: a provider that declares responses_api gets the client's body as it came (the model
// replaced) at {endpoint}/responses, and its recorded events reach the official SDK as they came, still watched:
// an in-band failure before the first content fails over, a cut after it ends in response.failed.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import type { ProviderConfig } from "../src/config/schema.ts";
import {
  fixtureText,
  jsonResponse,
  type MockUpstream,
  sseEventsOf,
  sseResponse,
  startMock,
} from "../src/providers/testing.ts";
import { startGateway, type TestGateway } from "./helpers/gateway.ts";

type Json = Record<string, unknown>;

/** The recorded events, one turn per response.created, as OpenAI frames them (event name, then data). */
function recordedTurns(name: string): Json[][] {
  const turns: Json[][] = [];
  for (const line of fixtureText("openai", name).split("\n")) {
    if (line.trim() === "") continue;
    const event = JSON.parse(line) as Json;
    if (event.type === "response.created") turns.push([]);
    turns[turns.length - 1]?.push(event);
  }
  return turns;
}

const asSse = (events: Json[]) =>
  events.map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);

const TURNS = recordedTurns("responses-stream-reasoning-tool-call.chunks.jsonl");
const TOOL_TURN = TURNS[0] as Json[];
const TEXT_TURN = TURNS[3] as Json[];
const ERROR_TURN = recordedTurns("responses-stream-error.chunks.jsonl")[0] as Json[];
const ANSWER = fixtureText("openai", "responses-reasoning.json");

const CALCULATOR: OpenAI.Responses.FunctionTool = {
  type: "function",
  name: "calculator",
  description: "A minimal calculator for basic arithmetic. Call it once per step.",
  parameters: {
    type: "object",
    properties: { a: { type: "number" }, b: { type: "number" }, op: { type: "string" } },
    required: ["a", "b", "op"],
    additionalProperties: false,
  },
  strict: true,
};

let native: MockUpstream;
let compatible: MockUpstream;
let gateway: TestGateway;
let client: OpenAI;

function provider(id: string, url: string, responses: boolean): ProviderConfig {
  return {
    id,
    name: id,
    type: "openai",
    endpoint: url,
    api_key_required: true,
    api_key: `sk-test-canary-${id}-0001`,
    models: [{ name: "gpt-5.1-codex-max" }],
    responses_api: responses,
  };
}

beforeAll(() => {
  native = startMock(() => jsonResponse(ANSWER));
  compatible = startMock(() => jsonResponse(fixtureText("openai", "chat-completions-text.json")));
  gateway = startGateway({
    providers: {
      openai: provider("openai", native.url, true),
      compat: provider("compat", compatible.url, false),
    },
    rotations: {
      coding: {
        strategy: "priority",
        providers: [
          { provider_id: "openai", models: [{ name: "gpt-5.1-codex-max", weight: 1 }] },
          { provider_id: "compat", models: [{ name: "gpt-5.1-codex-max", weight: 1 }] },
        ],
      },
    },
  });
  client = new OpenAI({ apiKey: "sk-client-not-forwarded", baseURL: `${gateway.url}/v1`, maxRetries: 0 });
});

afterAll(async () => {
  await gateway.stop();
  await native.stop();
  await compatible.stop();
});

beforeEach(() => {
  native.requests.length = 0;
  compatible.requests.length = 0;
});

describe("a provider with responses_api", () => {
  test("responses.create: the body goes to /responses with only the model changed; the answer comes back as it came", async () => {
    native.handle(() => jsonResponse(ANSWER));
    const body = {
      model: "openai/gpt-5.1-codex-max",
      input: [{ role: "user" as const, content: "12 + 7, times 3, times 10?" }],
      tools: [CALCULATOR, { type: "web_search" as const }],
      include: ["reasoning.encrypted_content" as const],
      reasoning: { effort: "high" as const, summary: "detailed" as const },
      store: false,
      prompt_cache_key: "session-42",
      client_metadata: { origin: "test" },
    };
    const response = await client.responses.create(body as OpenAI.Responses.ResponseCreateParamsNonStreaming);
    // The SDK adds output_text, its own convenience; the rest is the recorded body.
    const { output_text: _, ...object } = JSON.parse(JSON.stringify(response));
    expect(object).toEqual(JSON.parse(ANSWER));
    expect(response.output_text).toContain("Final result: 570");
    const sent = native.requests[0];
    expect(sent?.path).toBe("/responses");
    expect(sent?.headers.get("authorization")).toBe("Bearer sk-test-canary-openai-0001");
    // Hosted tools, include, store and unknown fields all mean there what the client meant: nothing dropped.
    expect(sent?.body).toEqual({ ...body, model: "gpt-5.1-codex-max" });
  });

  test("responses.stream: the recorded events reach the SDK as they came, function call and all", async () => {
    native.handle(() => sseResponse(asSse(TOOL_TURN)));
    const stream = client.responses.stream({
      model: "openai/gpt-5.1-codex-max",
      input: "12 + 7?",
      tools: [CALCULATOR],
    });
    const events: Json[] = [];
    for await (const event of stream) events.push(JSON.parse(JSON.stringify(event)));
    const final = await stream.finalResponse();
    expect(events).toEqual(TOOL_TURN);
    const call = final.output.find((item) => item.type === "function_call");
    expect(call).toMatchObject({ name: "calculator", arguments: '{"a":12,"b":7,"op":"add"}' });
    expect(native.requests[0]?.body).toMatchObject({ stream: true, model: "gpt-5.1-codex-max" });
  });

  test("the raw SSE keeps OpenAI's framing: an event line naming each event, then its data", async () => {
    native.handle(() => sseResponse(asSse(TEXT_TURN)));
    const response = await fetch(`${gateway.url}/v1/responses`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "openai/gpt-5.1-codex-max", input: "hi", stream: true }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-aisbf-provider")).toBe("openai");
    expect(await response.text()).toBe(asSse(TEXT_TURN).join(""));
  });

  test("a hosted web search runs upstream: its progress events and annotations are forwarded too", async () => {
    const search = recordedTurns("responses-stream-web-search.chunks.jsonl")[0] as Json[];
    native.handle(() => sseResponse(asSse(search)));
    const stream = client.responses.stream({
      model: "openai/gpt-5.1-codex-max",
      input: "What happened in the news today?",
      tools: [{ type: "web_search" }],
    });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types).toEqual(search.map((event) => event.type as string));
    expect(types).toContain("response.web_search_call.completed");
    expect(types).toContain("response.output_text.annotation.added");
    expect(native.requests[0]?.body).toMatchObject({ tools: [{ type: "web_search" }] });
  });

  test("previous_response_id is forwarded where every target holds the state", async () => {
    native.handle(() => jsonResponse(ANSWER));
    await client.responses.create({
      model: "openai/gpt-5.1-codex-max",
      input: "and then?",
      previous_response_id: "resp_earlier",
      store: true,
    });
    expect(native.requests[0]?.body).toMatchObject({ previous_response_id: "resp_earlier", store: true });
  });
});

describe("watched while forwarded (the empty-account tests last: they cool the target down)", () => {
  test("a cut after the first text ends in an error event and response.failed, never a silent end", async () => {
    const cutAt = TEXT_TURN.findIndex((event) => event.type === "response.output_text.delta") + 3;
    native.handle(() => sseResponse(asSse(TEXT_TURN), { cutAfter: cutAt }));
    const response = await fetch(`${gateway.url}/v1/responses`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "coding", input: "hi", stream: true }),
    });
    const text = await response.text();
    expect(text.startsWith(asSse(TEXT_TURN.slice(0, cutAt)).join(""))).toBe(true);
    expect(text).toContain("event: error");
    expect(text).toContain("event: response.failed");
    expect(text).not.toContain("event: response.completed");
    // A forwarded Responses stream is not continued by another provider: its ids and numbering are the upstream's.
    expect(compatible.requests.length).toBe(0);
    const failed =
      text
        .split("\n")
        .filter((line) => line.startsWith("data: "))
        .at(-1) ?? "";
    const sequence = (JSON.parse(failed.slice(6)) as { sequence_number: number }).sequence_number;
    expect(sequence).toBe(cutAt + 1);
  });

  test("an in-band error before any content fails over to the next target, translated there", async () => {
    native.handle(() => sseResponse(asSse(ERROR_TURN)));
    compatible.handle(() =>
      sseResponse(sseEventsOf(fixtureText("openai", "chat-completions-stream-include-usage.sse"))),
    );
    const response = await fetch(`${gateway.url}/v1/responses`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "coding", input: "hi", stream: true }),
    });
    const text = await response.text();
    expect(response.headers.get("x-aisbf-provider")).toBe("compat");
    expect(response.headers.get("x-aisbf-attempts")).toBe("2");
    // The first target's events never reach the client: one response, rendered from the second's chat stream.
    expect(text.match(/event: response\.created/g)?.length).toBe(1);
    expect(text).not.toContain("insufficient_quota");
    expect(text).toContain("event: response.completed");
    expect(compatible.requests[0]?.path).toBe("/chat/completions");
  });

  test("an insufficient_quota in the stream counts against the target as an empty account would", async () => {
    native.handle(() => sseResponse(asSse(ERROR_TURN)));
    const response = await fetch(`${gateway.url}/v1/responses`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "openai/gpt-5.1-codex-max", input: "hi", stream: true }),
    });
    expect(response.status).toBe(429);
    const body = (await response.json()) as { error: { message: string; type: string } };
    expect(body.error.message).toContain("exceeded your current quota");
    expect(JSON.stringify(body)).not.toContain("sk-test-canary");
  });
});
