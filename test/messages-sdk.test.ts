// End to end: the official @anthropic-ai/sdk (messages.create, messages.stream, messages.countTokens) -> AISBF -> a
// mock upstream of each provider type replaying recorded real traffic: a two-turn tool loop with the results reaching
// the provider in its own form, thinking carried across turns, an image, and the provider's own token counter.
import { describe, expect, test } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import {
  fixtureText,
  jsonResponse,
  ndjsonResponse,
  type ProviderFolder,
  ssePayloads,
} from "../src/providers/testing.ts";
import { replay } from "./helpers/mock-upstream.ts";
import { PIXEL_PNG, useUpstreamPerType } from "./helpers/provider-suite.ts";
import { finalAnswers } from "./helpers/recorded-turns.ts";

type Json = Record<string, unknown>;

interface Profile {
  folder: ProviderFolder;
  model: string;
  /** The tool the recorded call answered. */
  tool: Anthropic.Tool;
  /** A recorded answer with tool calls, non-streamed and streamed, and the calls' names and inputs. */
  toolAnswer: () => Response;
  toolStream: () => Response;
  calls: Array<{ name: string; input: unknown }>;
  textAnswer: () => Response;
  answerText: string;
  /** The stop reason of `textAnswer` (Ollama's one recorded non-streamed answer is a tool call). */
  answerStop: Anthropic.StopReason;
  textStream: () => Response;
  streamText: string;
  /** The native request of turn 2: the assistant's calls and the client's results, paired. */
  expectToolTurn(body: Json, ids: string[], outputs: string[]): void;
  expectImage(body: Json): void;
  /** Where the provider counts tokens, when it has a counter: its answer and the count it holds. */
  counter?: { answer: () => Response; count: number };
}

const TOOL_SCHEMA = {
  type: "object" as const,
  properties: { location: { type: "string" } },
  required: ["location"],
};

function messagesOf(body: Json): Json[] {
  return (body.messages ?? body.contents) as Json[];
}

const openaiProfile: Profile = (() => {
  const recorded = JSON.parse(fixtureText("openai", "chat-completions-tool-call.json"));
  const call = recorded.choices[0].message.tool_calls[0];
  const streamChunks = ssePayloads(fixtureText("openai", "chat-completions-stream-tool-call.sse")) as Array<{
    choices: Array<{ delta?: { tool_calls?: Array<{ function?: { name?: string; arguments?: string } }> } }>;
  }>;
  const pieces = streamChunks.flatMap((chunk) =>
    chunk.choices.flatMap((choice) => choice.delta?.tool_calls ?? []),
  );
  const streamName = pieces.find((piece) => piece.function?.name)?.function?.name as string;
  const streamArgs = pieces.map((piece) => piece.function?.arguments ?? "").join("");
  return {
    folder: "openai",
    model: "gpt-4.1-mini",
    tool: { name: call.function.name, input_schema: TOOL_SCHEMA },
    toolAnswer: replay.json("openai", "chat-completions-tool-call.json"),
    toolStream: replay.sse("openai", "chat-completions-stream-tool-call.sse"),
    calls: [{ name: call.function.name, input: JSON.parse(call.function.arguments) }],
    textAnswer: replay.json("openai", "chat-completions-text.json"),
    answerText: JSON.parse(fixtureText("openai", "chat-completions-text.json")).choices[0].message.content,
    answerStop: "end_turn",
    textStream: finalAnswers.openai.respond,
    streamText: finalAnswers.openai.text,
    expectToolTurn(body, ids, outputs) {
      const messages = messagesOf(body);
      const assistant = messages.find((message) => message.role === "assistant") as Json;
      expect((assistant.tool_calls as Json[]).map((c) => c.id)).toEqual(ids);
      expect(messages.filter((message) => message.role === "tool")).toEqual(
        ids.map((id, index) => ({ role: "tool", tool_call_id: id, content: outputs[index] })),
      );
      // The stream's recorded call is what the first turn gave back.
      expect(streamName).toBeDefined();
      expect(streamArgs.length).toBeGreaterThan(0);
    },
    expectImage(body) {
      const user = messagesOf(body).find((message) => message.role === "user") as { content: Json[] };
      expect(user.content).toContainEqual({
        type: "image_url",
        image_url: { url: `data:image/png;base64,${PIXEL_PNG}` },
      });
    },
  };
})();

const anthropicProfile: Profile = (() => {
  const recorded = JSON.parse(fixtureText("anthropic", "messages-parallel-tool-use.json"));
  const uses = recorded.content.filter((block: Json) => block.type === "tool_use");
  return {
    folder: "anthropic",
    model: "claude-haiku-4-5",
    tool: { name: uses[0].name, input_schema: { type: "object", properties: { name: { type: "string" } } } },
    toolAnswer: replay.json("anthropic", "messages-parallel-tool-use.json"),
    toolStream: replay.sse("anthropic", "messages-stream-parallel-tool-use.sse"),
    calls: uses.map((use: Json) => ({ name: use.name, input: use.input })),
    textAnswer: replay.json("anthropic", "messages-text.json"),
    answerText: JSON.parse(fixtureText("anthropic", "messages-text.json")).content[0].text,
    answerStop: "end_turn",
    textStream: finalAnswers.anthropic.respond,
    streamText: finalAnswers.anthropic.text,
    expectToolTurn(body, ids, outputs) {
      const messages = messagesOf(body) as Array<{ role: string; content: Json[] }>;
      expect(messages.map((message) => message.role)).toEqual(["user", "assistant", "user"]);
      expect(
        messages[1]?.content.filter((block) => block.type === "tool_use").map((block) => block.id),
      ).toEqual(ids);
      expect(messages[2]?.content).toEqual(
        ids.map((id, index) => ({ type: "tool_result", tool_use_id: id, content: outputs[index] })),
      );
    },
    expectImage(body) {
      const user = messagesOf(body)[0] as { content: Json[] };
      expect(user.content).toContainEqual({
        type: "image",
        source: { type: "base64", media_type: "image/png", data: PIXEL_PNG },
      });
    },
    // Anthropic's documented count_tokens answer (https://docs.anthropic.com/en/api/messages-count-tokens).
    counter: { answer: () => jsonResponse({ input_tokens: 2095 }), count: 2095 },
  };
})();

const googleProfile: Profile = (() => {
  const recorded = JSON.parse(fixtureText("google", "generate-content-function-call.json"));
  const part = recorded.candidates[0].content.parts[0];
  return {
    folder: "google",
    model: "gemini-2.5-flash",
    tool: { name: part.functionCall.name, input_schema: TOOL_SCHEMA },
    toolAnswer: replay.json("google", "generate-content-function-call.json"),
    toolStream: replay.sse("google", "stream-jsonarray-thought-and-function-call.json", "\r\n\r\n"),
    calls: [{ name: part.functionCall.name, input: part.functionCall.args }],
    textAnswer: replay.json("google", "generate-content-text.json"),
    answerText: JSON.parse(fixtureText("google", "generate-content-text.json"))
      .candidates[0].content.parts.map((p: { text: string }) => p.text)
      .join(""),
    answerStop: "end_turn",
    textStream: finalAnswers.google.respond,
    streamText: finalAnswers.google.text,
    expectToolTurn(body, _ids, outputs) {
      const contents = messagesOf(body) as Array<{ role: string; parts: Json[] }>;
      expect(contents.map((content) => content.role)).toEqual(["user", "model", "user"]);
      // The recorded thought signature travels back on the call, out of the tool_use id the client kept.
      expect(contents[1]?.parts[0]?.thoughtSignature).toBe(part.thoughtSignature);
      expect(contents[2]?.parts.map((p) => (p.functionResponse as Json).name)).toEqual([
        part.functionCall.name,
      ]);
      expect(JSON.stringify(contents[2]?.parts)).toContain(outputs[0] as string);
    },
    expectImage(body) {
      const user = messagesOf(body)[0] as { parts: Json[] };
      expect(user.parts).toContainEqual({ inlineData: { mimeType: "image/png", data: PIXEL_PNG } });
    },
    // Gemini's documented CountTokensResponse (https://ai.google.dev/api/tokens#CountTokensResponse).
    counter: { answer: () => jsonResponse({ totalTokens: 31 }), count: 31 },
  };
})();

const ollamaProfile: Profile = (() => {
  const recorded = JSON.parse(fixtureText("ollama", "chat-tool-call-cloud-httprr.json"));
  const call = recorded.message.tool_calls[0];
  return {
    folder: "ollama",
    model: "gpt-oss:120b",
    tool: { name: call.function.name, input_schema: TOOL_SCHEMA },
    toolAnswer: replay.json("ollama", "chat-tool-call-cloud-httprr.json"),
    // Ollama streams a tool call in one chunk: the recorded answer replayed as one NDJSON line.
    toolStream: () => ndjsonResponse(`${fixtureText("ollama", "chat-tool-call-cloud-httprr.json").trim()}\n`),
    calls: [{ name: call.function.name, input: call.function.arguments }],
    // The one recorded non-streamed Ollama answer is this tool call (its text is empty).
    textAnswer: replay.json("ollama", "chat-tool-call-cloud-httprr.json"),
    answerText: recorded.message.content,
    answerStop: "tool_use",
    textStream: finalAnswers.ollama.respond,
    streamText: finalAnswers.ollama.text,
    expectToolTurn(body, ids, outputs) {
      const messages = messagesOf(body);
      const assistant = messages.find((message) => message.role === "assistant") as Json;
      expect((assistant.tool_calls as Json[]).map((c) => c.function)).toEqual([
        { name: call.function.name, arguments: call.function.arguments },
      ]);
      // The thinking Ollama gave goes back with the call.
      expect(assistant.thinking).toBe(recorded.message.thinking);
      expect(messages.filter((message) => message.role === "tool")).toEqual(
        ids.map((id, index) => ({
          role: "tool",
          content: outputs[index],
          tool_call_id: id,
          tool_name: call.function.name,
        })),
      );
    },
    expectImage(body) {
      const user = messagesOf(body).find((message) => message.role === "user") as Json;
      expect(user.images).toEqual([PIXEL_PNG]);
    },
  };
})();

const PROFILES = [openaiProfile, anthropicProfile, googleProfile, ollamaProfile];

const suite = useUpstreamPerType(
  PROFILES.map((profile) => ({ type: profile.folder, initial: profile.textAnswer })),
  (gateway) => new Anthropic({ apiKey: "sk-ant-client-not-forwarded", baseURL: gateway.url, maxRetries: 0 }),
);

function toolUses(content: Anthropic.ContentBlock[]): Anthropic.ToolUseBlock[] {
  return content.filter((block): block is Anthropic.ToolUseBlock => block.type === "tool_use");
}

/** Turn 2 of a tool loop: the question, the assistant's whole answer, a result for each call. */
function toolTurn(
  question: string,
  answer: Anthropic.ContentBlock[],
  outputs: string[],
): Anthropic.MessageParam[] {
  return [
    { role: "user", content: question },
    { role: "assistant", content: answer as Anthropic.ContentBlockParam[] },
    {
      role: "user",
      content: toolUses(answer).map((use, index) => ({
        type: "tool_result" as const,
        tool_use_id: use.id,
        content: outputs[index] ?? "",
      })),
    },
  ];
}

for (const profile of PROFILES) {
  const model = `${profile.folder}/${profile.model}`;
  describe(`${profile.folder} upstream`, () => {
    test("messages.create: a two-turn tool loop, the results reaching the provider in its own form", async () => {
      suite.upstream(profile.folder).handle(profile.toolAnswer);
      const first = await suite.client.messages.create({
        model,
        max_tokens: 1024,
        messages: [{ role: "user", content: "Look it up, please." }],
        tools: [profile.tool],
      });
      expect(first.type).toBe("message");
      expect(first.id).toStartWith("msg_");
      expect(first.stop_reason).toBe("tool_use");
      const uses = toolUses(first.content);
      expect(uses.map((use) => ({ name: use.name, input: use.input }))).toEqual(profile.calls);
      expect(first.usage.input_tokens).toBeGreaterThan(0);

      suite.upstream(profile.folder).handle(profile.textAnswer);
      const outputs = uses.map((_, index) => `result ${index + 1}: 42`);
      const second = await suite.client.messages.create({
        model,
        max_tokens: 1024,
        messages: toolTurn("Look it up, please.", first.content, outputs),
        tools: [profile.tool],
      });
      const answer = second.content.flatMap((block) => (block.type === "text" ? [block.text] : [])).join("");
      expect(answer).toBe(profile.answerText);
      expect(second.stop_reason).toBe(profile.answerStop);
      profile.expectToolTurn(
        suite.body(profile.folder, 1),
        uses.map((use) => use.id),
        outputs,
      );
    });

    test("messages.stream: a tool call streamed, its result sent back, the answer streamed as text", async () => {
      suite.upstream(profile.folder).handle(profile.toolStream);
      const stream = suite.client.messages.stream({
        model,
        max_tokens: 1024,
        messages: [{ role: "user", content: "Call the tool." }],
        tools: [profile.tool],
      });
      const kinds: string[] = [];
      for await (const event of stream) kinds.push(event.type);
      const first = await stream.finalMessage();
      expect(kinds[0]).toBe("message_start");
      expect(kinds.at(-1)).toBe("message_stop");
      expect(first.stop_reason).toBe("tool_use");
      const uses = toolUses(first.content);
      expect(uses.length).toBeGreaterThan(0);
      for (const use of uses) expect(use.id).toMatch(/^[A-Za-z0-9_-]+$/);

      suite.upstream(profile.folder).handle(profile.textStream);
      const outputs = uses.map(() => "sunny, 21C");
      const second = suite.client.messages.stream({
        model,
        max_tokens: 1024,
        messages: toolTurn("Call the tool.", first.content, outputs),
        tools: [profile.tool],
      });
      const deltas: string[] = [];
      second.on("text", (delta) => deltas.push(delta));
      const final = await second.finalMessage();
      expect(deltas.join("")).toBe(profile.streamText);
      expect(final.stop_reason).toBe("end_turn");
      expect(final.usage.output_tokens).toBeGreaterThan(0);
      const body = suite.body(profile.folder, 1);
      expect(
        body.stream === true || suite.upstream(profile.folder).requests[1]?.path.includes("stream"),
      ).toBe(true);
      expect(JSON.stringify(body)).toContain("sunny, 21C");
    });

    test("an image arrives in the provider's own field", async () => {
      suite.upstream(profile.folder).handle(profile.textAnswer);
      await suite.client.messages.create({
        model,
        max_tokens: 256,
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "Which city is this?" },
              { type: "image", source: { type: "base64", media_type: "image/png", data: PIXEL_PNG } },
            ],
          },
        ],
      });
      profile.expectImage(suite.body(profile.folder, 0));
    });

    test("messages.countTokens: the provider's own counter where it has one, else a flagged estimate", async () => {
      if (profile.counter) suite.upstream(profile.folder).handle(profile.counter.answer);
      const { data, response } = await suite.client.messages
        .countTokens({ model, messages: [{ role: "user", content: "How many tokens is this?" }] })
        .withResponse();
      if (profile.counter) {
        expect(data.input_tokens).toBe(profile.counter.count);
        expect(response.headers.get("x-aisbf-token-count")).toBe("provider");
        const path = suite.upstream(profile.folder).requests[0]?.path ?? "";
        expect(path).toEndWith(profile.folder === "google" ? ":countTokens" : "/v1/messages/count_tokens");
      } else {
        expect(data.input_tokens).toBeGreaterThan(0);
        expect(response.headers.get("x-aisbf-token-count")).toBe("estimate");
        expect(suite.upstream(profile.folder).requests).toHaveLength(0);
      }
    });
  });
}

describe("thinking across turns", () => {
  test("Anthropic: thinking and its signature stream as Anthropic sent them, and go back signed", async () => {
    const upstream = suite.upstream(anthropicProfile.folder);
    upstream.handle(replay.sse("anthropic", "messages-stream-thinking.sse"));
    const events = ssePayloads(fixtureText("anthropic", "messages-stream-thinking.sse")) as Array<{
      delta?: { thinking?: string; signature?: string };
    }>;
    const thinking = events.map((event) => event.delta?.thinking ?? "").join("");
    const signature = events.map((event) => event.delta?.signature ?? "").join("");
    const stream = suite.client.messages.stream({
      model: "anthropic/claude-haiku-4-5",
      max_tokens: 4096,
      thinking: { type: "enabled", budget_tokens: 1024 },
      messages: [{ role: "user", content: "How do I cross the street?" }],
    });
    const streamed: string[] = [];
    stream.on("thinking", (delta) => streamed.push(delta));
    const final = await stream.finalMessage();
    expect(streamed.join("")).toBe(thinking);
    expect(final.content[0]).toEqual({ type: "thinking", thinking, signature });
    expect(suite.body(anthropicProfile.folder, 0).thinking).toEqual({
      type: "enabled",
      budget_tokens: 1024,
    });

    upstream.handle(replay.json("anthropic", "messages-text.json"));
    await suite.client.messages.create({
      model: "anthropic/claude-haiku-4-5",
      max_tokens: 4096,
      thinking: { type: "enabled", budget_tokens: 1024 },
      messages: [
        { role: "user", content: "How do I cross the street?" },
        { role: "assistant", content: final.content as Anthropic.ContentBlockParam[] },
        { role: "user", content: "And at night?" },
      ],
    });
    const sent = suite.body(anthropicProfile.folder, 1) as { messages: Array<{ content: Json[] }> };
    expect(sent.messages[1]?.content[0]).toEqual({ type: "thinking", thinking, signature });
  });

  test("Gemini: a thought and a signed call stream as thinking and tool_use; the signature reaches Gemini next turn", async () => {
    const upstream = suite.upstream(googleProfile.folder);
    upstream.handle(googleProfile.toolStream);
    const chunks = JSON.parse(
      fixtureText("google", "stream-jsonarray-thought-and-function-call.json"),
    ) as Array<{
      candidates: Array<{ content: { parts: Json[] } }>;
    }>;
    const parts = chunks.flatMap((chunk) => chunk.candidates[0]?.content.parts ?? []);
    const call = parts.find((p) => p.functionCall) as Json;
    const stream = suite.client.messages.stream({
      model: "google/gemini-2.5-flash",
      max_tokens: 4096,
      thinking: { type: "enabled", budget_tokens: 1024 },
      messages: [{ role: "user", content: "Name a pelican." }],
      tools: [{ name: "pelican_name_generator", input_schema: { type: "object", properties: {} } }],
    });
    const final = await stream.finalMessage();
    const thinking = final.content.filter((block) => block.type === "thinking") as Anthropic.ThinkingBlock[];
    expect(thinking.map((block) => block.thinking).join("")).toBe(
      parts
        .filter((p) => p.thought)
        .map((p) => p.text as string)
        .join(""),
    );
    expect(suite.body(googleProfile.folder, 0).generationConfig).toMatchObject({
      thinkingConfig: { thinkingBudget: 1024 },
    });
    const use = toolUses(final.content)[0] as Anthropic.ToolUseBlock;

    upstream.handle(replay.json("google", "generate-content-text.json"));
    await suite.client.messages.create({
      model: "google/gemini-2.5-flash",
      max_tokens: 4096,
      messages: toolTurn("Name a pelican.", final.content, ["Percy"]),
      tools: [{ name: "pelican_name_generator", input_schema: { type: "object", properties: {} } }],
    });
    const model = (suite.body(googleProfile.folder, 1).contents as Array<{ role: string; parts: Json[] }>)[1];
    expect(model?.role).toBe("model");
    const sentCall = model?.parts.find((p) => p.functionCall) as Json;
    expect(sentCall.thoughtSignature).toBe(call.thoughtSignature as string);
    expect(use.id).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  test("OpenAI and Ollama: thinking and output_config.effort become the provider's own reasoning settings", async () => {
    suite.upstream(openaiProfile.folder).handle(openaiProfile.textAnswer);
    await suite.client.messages.create({
      model: "openai/gpt-4.1-mini",
      max_tokens: 4096,
      thinking: { type: "adaptive" },
      output_config: { effort: "low" },
      messages: [{ role: "user", content: "Think first." }],
    });
    expect(suite.body(openaiProfile.folder, 0).reasoning_effort).toBe("low");
    suite.upstream(ollamaProfile.folder).handle(ollamaProfile.toolAnswer);
    const answer = await suite.client.messages.create({
      model: "ollama/gpt-oss:120b",
      max_tokens: 4096,
      thinking: { type: "adaptive" },
      messages: [{ role: "user", content: "Weather in SF?" }],
      tools: [ollamaProfile.tool],
    });
    expect(suite.body(ollamaProfile.folder, 0).think).toBe(true);
    const recorded = JSON.parse(fixtureText("ollama", "chat-tool-call-cloud-httprr.json"));
    expect(answer.content[0]).toMatchObject({ type: "thinking", thinking: recorded.message.thinking });
  });
});
