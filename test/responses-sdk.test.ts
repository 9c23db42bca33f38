// End to end: the official openai SDK's Responses API (responses.create and responses.stream) -> AISBF -> a mock
// upstream of each provider type replaying recorded real traffic: a two-turn function-tool loop, reasoning carried
// across turns, an image and a json_schema output, each arriving in the provider's own wire form.
import { describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { fixtureText, ndjsonResponse, type ProviderFolder, ssePayloads } from "../src/providers/testing.ts";
import { replay } from "./helpers/mock-upstream.ts";
import { PIXEL_PNG, useUpstreamPerType } from "./helpers/provider-suite.ts";
import { finalAnswers } from "./helpers/recorded-turns.ts";

type Json = Record<string, unknown>;

/** A recorded tool call: what the model called, as the recording has it. */
interface RecordedCall {
  call_id: string;
  name: string;
  arguments: string;
}

interface Profile {
  folder: ProviderFolder;
  model: string;
  /** The function tool the recorded call answered (name and parameters as the recording's request had them). */
  tool: OpenAI.Responses.FunctionTool;
  toolAnswer: () => Response;
  toolCalls: RecordedCall[];
  /** A recorded stream with a tool call, where one was recorded. */
  toolStream?: { respond: () => Response; calls: RecordedCall[] };
  textAnswer: () => Response;
  answerText: string;
  textStream: () => Response;
  streamText: string;
  /** The native request of turn 2: the assistant's calls and the client's outputs, paired by call id. */
  expectToolTurn(body: Json, calls: RecordedCall[], outputs: string[]): void;
  expectImage(body: Json): void;
  expectJsonSchema(body: Json, schema: Json): void;
  expectReasoningAsked(body: Json): void;
}

const TOOL_PARAMS = { type: "object", properties: { location: { type: "string" } }, required: ["location"] };

function lastMessages(body: Json): Json[] {
  return (body.messages ?? body.contents) as Json[];
}

const openaiProfile: Profile = (() => {
  const recorded = JSON.parse(fixtureText("openai", "chat-completions-tool-call.json"));
  const call = recorded.choices[0].message.tool_calls[0];
  const streamCalls = ssePayloads(fixtureText("openai", "chat-completions-stream-tool-call.sse"));
  const first = (streamCalls[0] as { choices: Array<{ delta: { tool_calls: Json[] } }> }).choices[0]?.delta
    .tool_calls[0] as { id: string; function: { name: string } };
  const streamArgs = streamCalls
    .flatMap(
      (chunk) => ((chunk as { choices: Json[] }).choices ?? []) as Array<{ delta?: { tool_calls?: Json[] } }>,
    )
    .flatMap((choice) => choice.delta?.tool_calls ?? [])
    .map((piece) => (piece as { function?: { arguments?: string } }).function?.arguments ?? "")
    .join("");
  const answer = JSON.parse(fixtureText("openai", "chat-completions-text.json"));
  return {
    folder: "openai",
    model: "gpt-4.1-mini",
    tool: { type: "function", name: "lookup_population", parameters: TOOL_PARAMS, strict: false },
    toolAnswer: replay.json("openai", "chat-completions-tool-call.json"),
    toolCalls: [{ call_id: call.id, name: call.function.name, arguments: call.function.arguments }],
    toolStream: {
      respond: replay.sse("openai", "chat-completions-stream-tool-call.sse"),
      calls: [{ call_id: first.id, name: first.function.name, arguments: streamArgs }],
    },
    textAnswer: replay.json("openai", "chat-completions-text.json"),
    answerText: answer.choices[0].message.content,
    textStream: finalAnswers.openai.respond,
    streamText: finalAnswers.openai.text,
    expectToolTurn(body, calls, outputs) {
      const messages = lastMessages(body);
      expect(messages.find((message) => message.role === "assistant")?.tool_calls).toEqual(
        calls.map((c) => ({
          id: c.call_id,
          type: "function",
          function: { name: c.name, arguments: c.arguments },
        })),
      );
      expect(messages.filter((message) => message.role === "tool")).toEqual(
        calls.map((c, index) => ({ role: "tool", tool_call_id: c.call_id, content: outputs[index] })),
      );
    },
    expectImage(body) {
      const user = lastMessages(body).find((message) => message.role === "user") as { content: Json[] };
      expect(user.content).toContainEqual({
        type: "image_url",
        image_url: { url: `data:image/png;base64,${PIXEL_PNG}`, detail: "auto" },
      });
    },
    expectJsonSchema(body, schema) {
      expect(body.response_format).toEqual({
        type: "json_schema",
        json_schema: { name: "city", schema, strict: true },
      });
    },
    expectReasoningAsked(body) {
      expect(body.reasoning_effort).toBe("low");
    },
  };
})();

const anthropicProfile: Profile = (() => {
  const recorded = JSON.parse(fixtureText("anthropic", "messages-parallel-tool-use.json"));
  const uses = recorded.content.filter((block: Json) => block.type === "tool_use");
  const events = ssePayloads(fixtureText("anthropic", "messages-stream-parallel-tool-use.sse"));
  const streamCalls: RecordedCall[] = [];
  for (const event of events as Array<Json & { content_block?: Json; delta?: Json; index?: number }>) {
    if (event.type === "content_block_start" && event.content_block?.type === "tool_use") {
      streamCalls.push({
        call_id: event.content_block.id as string,
        name: event.content_block.name as string,
        arguments: "",
      });
    }
    if (event.type === "content_block_delta" && event.delta?.type === "input_json_delta") {
      const last = streamCalls.at(-1) as RecordedCall;
      last.arguments += event.delta.partial_json as string;
    }
  }
  for (const call of streamCalls) if (call.arguments === "") call.arguments = "{}";
  const answer = JSON.parse(fixtureText("anthropic", "messages-text.json"));
  return {
    folder: "anthropic",
    model: "claude-haiku-4-5",
    tool: {
      type: "function",
      name: "retrieve_entity_info",
      parameters: { type: "object", properties: { name: { type: "string" } } },
      strict: false,
    },
    toolAnswer: replay.json("anthropic", "messages-parallel-tool-use.json"),
    toolCalls: uses.map((use: { id: string; name: string; input: unknown }) => ({
      call_id: use.id,
      name: use.name,
      arguments: JSON.stringify(use.input),
    })),
    toolStream: {
      respond: replay.sse("anthropic", "messages-stream-parallel-tool-use.sse"),
      calls: streamCalls,
    },
    textAnswer: replay.json("anthropic", "messages-text.json"),
    answerText: answer.content[0].text,
    textStream: finalAnswers.anthropic.respond,
    streamText: finalAnswers.anthropic.text,
    expectToolTurn(body, calls, outputs) {
      const messages = lastMessages(body) as Array<{ role: string; content: Json[] }>;
      expect(messages.map((message) => message.role)).toEqual(["user", "assistant", "user"]);
      expect(messages[1]?.content.filter((block) => block.type === "tool_use")).toEqual(
        calls.map((c) => ({ type: "tool_use", id: c.call_id, name: c.name, input: JSON.parse(c.arguments) })),
      );
      expect(messages[2]?.content).toEqual(
        calls.map((c, index) => ({
          type: "tool_result",
          tool_use_id: c.call_id,
          content: outputs[index],
        })),
      );
    },
    expectImage(body) {
      const user = lastMessages(body)[0] as { content: Json[] };
      expect(user.content).toContainEqual({
        type: "image",
        source: { type: "base64", media_type: "image/png", data: PIXEL_PNG },
      });
    },
    expectJsonSchema(body, schema) {
      expect((body.output_config as Json).format).toEqual({ type: "json_schema", schema });
    },
    expectReasoningAsked(body) {
      expect(body.thinking).toEqual({ type: "enabled", budget_tokens: 1024 });
    },
  };
})();

const googleProfile: Profile = (() => {
  const recorded = JSON.parse(fixtureText("google", "generate-content-function-call.json"));
  const part = recorded.candidates[0].content.parts[0];
  const streamed = JSON.parse(
    fixtureText("google", "stream-jsonarray-thought-and-function-call.json"),
  ) as Array<{
    candidates: Array<{ content: { parts: Array<{ functionCall?: { name: string; args: unknown } }> } }>;
  }>;
  const streamCalls = streamed
    .flatMap((chunk) => chunk.candidates[0]?.content.parts ?? [])
    .flatMap((p) => (p.functionCall ? [p.functionCall] : []));
  const answer = JSON.parse(fixtureText("google", "generate-content-text.json"));
  return {
    folder: "google",
    model: "gemini-2.5-flash",
    tool: { type: "function", name: "weather", parameters: TOOL_PARAMS, strict: false },
    toolAnswer: replay.json("google", "generate-content-function-call.json"),
    // Gemini gives no call id: the gateway makes one (carrying the thought signature), so only name and arguments
    // are the recording's.
    toolCalls: [
      { call_id: "", name: part.functionCall.name, arguments: JSON.stringify(part.functionCall.args) },
    ],
    toolStream: {
      respond: replay.sse("google", "stream-jsonarray-thought-and-function-call.json", "\r\n\r\n"),
      calls: streamCalls.map((c) => ({ call_id: "", name: c.name, arguments: JSON.stringify(c.args) })),
    },
    textAnswer: replay.json("google", "generate-content-text.json"),
    answerText: answer.candidates[0].content.parts.map((p: { text: string }) => p.text).join(""),
    textStream: finalAnswers.google.respond,
    streamText: finalAnswers.google.text,
    expectToolTurn(body, calls, outputs) {
      const contents = lastMessages(body) as Array<{ role: string; parts: Json[] }>;
      expect(contents.map((content) => content.role)).toEqual(["user", "model", "user"]);
      const modelParts = contents[1]?.parts ?? [];
      expect(modelParts.map((p) => p.functionCall)).toEqual(
        calls.map((c) => ({ name: c.name, args: JSON.parse(c.arguments) })),
      );
      // The recorded thought signature travels back on the call, out of the call id the client kept.
      expect(modelParts[0]?.thoughtSignature).toBe(part.thoughtSignature);
      expect(contents[2]?.parts.map((p) => (p.functionResponse as Json).name)).toEqual(
        calls.map((c) => c.name),
      );
      expect(JSON.stringify(contents[2]?.parts)).toContain(JSON.stringify(outputs[0]).slice(1, -1));
    },
    expectImage(body) {
      const user = lastMessages(body)[0] as { parts: Json[] };
      expect(user.parts).toContainEqual({ inlineData: { mimeType: "image/png", data: PIXEL_PNG } });
    },
    expectJsonSchema(body, schema) {
      const config = body.generationConfig as Json;
      expect(config.responseMimeType).toBe("application/json");
      expect(config.responseJsonSchema).toEqual(schema);
    },
    expectReasoningAsked(body) {
      expect((body.generationConfig as Json).thinkingConfig).toMatchObject({ thinkingBudget: 1024 });
    },
  };
})();

const ollamaProfile: Profile = (() => {
  const recorded = JSON.parse(fixtureText("ollama", "chat-tool-call-cloud-httprr.json"));
  const call = recorded.message.tool_calls[0];
  return {
    folder: "ollama",
    model: "gpt-oss:120b",
    tool: { type: "function", name: "getWeather", parameters: TOOL_PARAMS, strict: false },
    toolAnswer: replay.json("ollama", "chat-tool-call-cloud-httprr.json"),
    toolCalls: [
      { call_id: call.id, name: call.function.name, arguments: JSON.stringify(call.function.arguments) },
    ],
    // Ollama streams a tool call in one chunk: the recorded answer replayed as one NDJSON line, as the Chat suite does.
    toolStream: {
      respond: () => ndjsonResponse(`${fixtureText("ollama", "chat-tool-call-cloud-httprr.json").trim()}\n`),
      calls: [
        { call_id: call.id, name: call.function.name, arguments: JSON.stringify(call.function.arguments) },
      ],
    },
    // The one recorded non-streamed Ollama answer is this tool call (its text is empty).
    textAnswer: replay.json("ollama", "chat-tool-call-cloud-httprr.json"),
    answerText: recorded.message.content,
    textStream: finalAnswers.ollama.respond,
    streamText: finalAnswers.ollama.text,
    expectToolTurn(body, calls, outputs) {
      const messages = lastMessages(body);
      const assistant = messages.find((message) => message.role === "assistant") as Json;
      expect((assistant.tool_calls as Json[]).map((c) => c.function)).toEqual(
        calls.map((c) => ({ name: c.name, arguments: JSON.parse(c.arguments) })),
      );
      expect(messages.filter((message) => message.role === "tool")).toEqual(
        calls.map((c, index) => ({
          role: "tool",
          content: outputs[index],
          tool_call_id: c.call_id,
          tool_name: c.name,
        })),
      );
    },
    expectImage(body) {
      const user = lastMessages(body).find((message) => message.role === "user") as Json;
      expect(user.images).toEqual([PIXEL_PNG]);
    },
    expectJsonSchema(body, schema) {
      expect(body.format).toEqual(schema);
    },
    expectReasoningAsked(body) {
      expect(body.think).toBe("low");
    },
  };
})();

const PROFILES = [openaiProfile, anthropicProfile, googleProfile, ollamaProfile];

const suite = useUpstreamPerType(
  PROFILES.map((profile) => ({ type: profile.folder, initial: profile.textAnswer })),
  (gateway) => new OpenAI({ apiKey: "sk-client-not-forwarded", baseURL: `${gateway.url}/v1`, maxRetries: 0 }),
);

function functionCalls(
  output: OpenAI.Responses.ResponseOutputItem[],
): OpenAI.Responses.ResponseFunctionToolCall[] {
  return output.filter(
    (item): item is OpenAI.Responses.ResponseFunctionToolCall => item.type === "function_call",
  );
}

/** Compares calls as the recording has them; Gemini's ids are the gateway's own, so only their presence is checked. */
function expectCalls(got: OpenAI.Responses.ResponseFunctionToolCall[], recorded: RecordedCall[]): void {
  expect(got.map((call) => ({ name: call.name, arguments: call.arguments }))).toEqual(
    recorded.map((call) => ({ name: call.name, arguments: call.arguments })),
  );
  for (const [index, call] of got.entries()) {
    const expected = recorded[index]?.call_id;
    if (expected) expect(call.call_id).toBe(expected);
    else expect(call.call_id).toStartWith("call_");
    expect(call.id).toStartWith("fc_");
  }
}

function toolLoopInput(
  question: string,
  output: OpenAI.Responses.ResponseOutputItem[],
  outputs: string[],
): OpenAI.Responses.ResponseInput {
  const calls = functionCalls(output);
  return [
    { role: "user", content: question },
    ...(output as OpenAI.Responses.ResponseInputItem[]),
    ...calls.map((call, index) => ({
      type: "function_call_output" as const,
      call_id: call.call_id,
      output: outputs[index] ?? "",
    })),
  ];
}

for (const profile of PROFILES) {
  const model = `${profile.folder}/${profile.model}`;
  describe(`${profile.folder} upstream`, () => {
    test("responses.create: a two-turn function-tool loop, calls paired by call_id in the provider's form", async () => {
      suite.upstream(profile.folder).handle(profile.toolAnswer);
      const first = await suite.client.responses.create({
        model,
        input: "Look it up, please.",
        tools: [profile.tool],
      });
      expect(first.object).toBe("response");
      expect(first.id).toStartWith("resp_");
      expect(first.status).toBe("completed");
      const calls = functionCalls(first.output);
      expectCalls(calls, profile.toolCalls);
      expect(first.usage?.input_tokens).toBeGreaterThan(0);

      suite.upstream(profile.folder).handle(profile.textAnswer);
      const outputs = calls.map((_, index) => `result ${index + 1}: 42`);
      const second = await suite.client.responses.create({
        model,
        input: toolLoopInput("Look it up, please.", first.output, outputs),
        tools: [profile.tool],
      });
      expect(second.output_text).toBe(profile.answerText);
      expect(second.status).toBe("completed");
      const recordedCalls = calls.map((call) => ({
        call_id: call.call_id,
        name: call.name,
        arguments: call.arguments,
      }));
      profile.expectToolTurn(suite.body(profile.folder, 1), recordedCalls, outputs);
    });

    test("responses.stream: typed events with sequence numbers from 0, ending in response.completed", async () => {
      suite.upstream(profile.folder).handle(profile.textStream);
      const stream = suite.client.responses.stream({ model, input: "Say something." });
      const events: OpenAI.Responses.ResponseStreamEvent[] = [];
      for await (const event of stream) events.push(event);
      const final = await stream.finalResponse();
      expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
      expect(events[0]?.type).toBe("response.created");
      expect(events[1]?.type).toBe("response.in_progress");
      expect(events.at(-1)?.type).toBe("response.completed");
      const deltas = events.flatMap((event) =>
        event.type === "response.output_text.delta" ? [event.delta] : [],
      );
      expect(deltas.join("")).toBe(profile.streamText);
      expect(final.output_text).toBe(profile.streamText);
      const kinds = new Set(events.map((event) => event.type));
      for (const kind of [
        "response.output_item.added",
        "response.content_part.added",
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
      ]) {
        expect(kinds.has(kind as OpenAI.Responses.ResponseStreamEvent["type"])).toBe(true);
      }
      expect(
        suite.body(profile.folder, 0).stream === true ||
          suite.upstream(profile.folder).requests[0]?.path.includes("stream"),
      ).toBe(true);
    });

    if (profile.toolStream) {
      const recordedStream = profile.toolStream;
      test("responses.stream: a recorded tool-call stream gives function_call items with their arguments", async () => {
        suite.upstream(profile.folder).handle(recordedStream.respond);
        const stream = suite.client.responses.stream({
          model,
          input: "Call the tool.",
          tools: [profile.tool],
        });
        const argumentDeltas: string[] = [];
        for await (const event of stream) {
          if (event.type === "response.function_call_arguments.delta") argumentDeltas.push(event.delta);
        }
        const final = await stream.finalResponse();
        const calls = functionCalls(final.output);
        expectCalls(calls, recordedStream.calls);
        expect(argumentDeltas.join("")).toBe(
          recordedStream.calls
            .map((call) => (call.arguments === "{}" && profile.folder === "google" ? "{}" : call.arguments))
            .join(""),
        );
      });
    }

    test("an input_image and a json_schema text format arrive in the provider's own fields", async () => {
      suite.upstream(profile.folder).handle(profile.textAnswer);
      const schema = { type: "object", properties: { city: { type: "string" } }, required: ["city"] };
      await suite.client.responses.create({
        model,
        input: [
          {
            role: "user",
            content: [
              { type: "input_text", text: "Which city is this?" },
              { type: "input_image", image_url: `data:image/png;base64,${PIXEL_PNG}`, detail: "auto" },
            ],
          },
        ],
        text: { format: { type: "json_schema", name: "city", schema, strict: true } },
      });
      const body = suite.body(profile.folder, 0);
      profile.expectImage(body);
      profile.expectJsonSchema(body, schema);
    });

    test("reasoning.effort is sent as the provider's own reasoning setting", async () => {
      suite.upstream(profile.folder).handle(profile.textAnswer);
      await suite.client.responses.create({
        model,
        input: "Think first.",
        reasoning: { effort: "low", summary: "auto" },
      });
      profile.expectReasoningAsked(suite.body(profile.folder, 0));
    });
  });
}

describe("reasoning round trips", () => {
  test("Anthropic thinking streams as a reasoning summary; its signature comes back next turn as signed thinking", async () => {
    const upstream = suite.upstream(anthropicProfile.folder);
    upstream.handle(replay.sse("anthropic", "messages-stream-thinking.sse"));
    const events = ssePayloads(fixtureText("anthropic", "messages-stream-thinking.sse")) as Array<{
      type: string;
      delta?: { type: string; thinking?: string; signature?: string };
    }>;
    const thinking = events.map((event) => event.delta?.thinking ?? "").join("");
    const signature = events.map((event) => event.delta?.signature ?? "").join("");
    const stream = suite.client.responses.stream({
      model: "anthropic/claude-haiku-4-5",
      input: "How do I cross the street?",
      reasoning: { effort: "low", summary: "auto" },
      include: ["reasoning.encrypted_content"],
      store: false,
    });
    const summaryDeltas: string[] = [];
    for await (const event of stream) {
      if (event.type === "response.reasoning_summary_text.delta") summaryDeltas.push(event.delta);
    }
    const final = await stream.finalResponse();
    expect(summaryDeltas.join("")).toBe(thinking);
    const reasoning = final.output.find(
      (item) => item.type === "reasoning",
    ) as OpenAI.Responses.ResponseReasoningItem;
    expect(reasoning.summary).toEqual([{ type: "summary_text", text: thinking }]);
    expect(reasoning.encrypted_content).toStartWith("aisbf.v1.");

    upstream.handle(replay.json("anthropic", "messages-text.json"));
    await suite.client.responses.create({
      model: "anthropic/claude-haiku-4-5",
      input: [
        { role: "user", content: "How do I cross the street?" },
        ...(final.output as OpenAI.Responses.ResponseInputItem[]),
        { role: "user", content: "And at night?" },
      ],
      reasoning: { effort: "low" },
    });
    const sent = upstream.requests[1]?.body as { messages: Array<{ role: string; content: Json[] }> };
    expect(sent.messages[1]?.role).toBe("assistant");
    expect(sent.messages[1]?.content[0]).toEqual({ type: "thinking", thinking, signature });
  });

  test("Gemini thought parts stream as a reasoning summary", async () => {
    const upstream = suite.upstream(googleProfile.folder);
    upstream.handle(replay.sse("google", "stream-thinking-thought-parts.sse"));
    const thoughts = ssePayloads(fixtureText("google", "stream-thinking-thought-parts.sse"))
      .flatMap(
        (chunk) =>
          (
            chunk as {
              candidates: Array<{ content?: { parts?: Array<{ text?: string; thought?: boolean }> } }>;
            }
          ).candidates,
      )
      .flatMap((candidate) => candidate.content?.parts ?? [])
      .filter((p) => p.thought)
      .map((p) => p.text ?? "")
      .join("");
    const stream = suite.client.responses.stream({
      model: "google/gemini-2.5-flash",
      input: "How do I cross the street?",
      reasoning: { effort: "low", summary: "auto" },
    });
    const final = await stream.finalResponse();
    const reasoning = final.output.filter(
      (item) => item.type === "reasoning",
    ) as OpenAI.Responses.ResponseReasoningItem[];
    expect(reasoning.flatMap((item) => item.summary.map((s) => s.text)).join("")).toBe(thoughts);
    expect(final.output_text.length).toBeGreaterThan(0);
  });

  test("Ollama thinking is a reasoning item, and goes back as thinking on the next turn", async () => {
    const upstream = suite.upstream(ollamaProfile.folder);
    upstream.handle(replay.json("ollama", "chat-tool-call-cloud-httprr.json"));
    const recorded = JSON.parse(fixtureText("ollama", "chat-tool-call-cloud-httprr.json"));
    const first = await suite.client.responses.create({
      model: "ollama/gpt-oss:120b",
      input: "Weather in SF?",
      tools: [ollamaProfile.tool],
    });
    const reasoning = first.output.find(
      (item) => item.type === "reasoning",
    ) as OpenAI.Responses.ResponseReasoningItem;
    expect(reasoning.summary).toEqual([{ type: "summary_text", text: recorded.message.thinking }]);
    // Nothing to sign: no envelope.
    expect(reasoning.encrypted_content).toBeUndefined();
    await suite.client.responses.create({
      model: "ollama/gpt-oss:120b",
      input: toolLoopInput("Weather in SF?", first.output, ["sunny"]),
      tools: [ollamaProfile.tool],
    });
    const sent = upstream.requests[1]?.body as { messages: Json[] };
    expect(sent.messages.find((message) => message.role === "assistant")?.thinking).toBe(
      recorded.message.thinking,
    );
  });
});
