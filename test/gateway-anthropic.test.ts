// End to end: the official openai SDK -> AISBF -> a mock Anthropic Messages API replaying recorded real traffic.
import { describe, expect, test } from "bun:test";
import OpenAI from "openai";
import type { ProviderConfig } from "../src/config/schema.ts";
import { documentedError, MODELS_PAGE } from "../src/providers/anthropic/test-data.ts";
import { jsonlToSSE, jsonResponse, sseEventsOf, sseResponse, startMock } from "../src/providers/testing.ts";
import { providerOfType, startGateway } from "./helpers/gateway.ts";
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

const KEY = "sk-ant-test-canary-0001";
const MODEL = "claude-haiku-4-5";
const MAX_TOKENS = 1500;

const { text: anthropic, json, sse } = recordingsOf("anthropic");

type Block = Record<string, unknown>;
interface SentMessage {
  role: string;
  content: Block[];
}
interface SentBody {
  model: string;
  max_tokens: number;
  stream: boolean;
  system?: Block[];
  messages: SentMessage[];
  [key: string]: unknown;
}

const RETRIEVE_TOOL = chatTool(
  "retrieve_entity_info",
  { type: "object", properties: { name: { type: "string" } }, required: ["name"] },
  "Facts about a family member",
);

const PELICAN_TOOL = chatTool("pelican_name_generator", { type: "object", properties: {} });

const suite = useProviderSuite<SentBody>({
  initial: () => json("messages-text.json"),
  gateway: (url) => ({
    providers: {
      anthropic: {
        ...providerOfType.anthropic(url),
        api_key: KEY,
        models: [{ name: MODEL, max_tokens: MAX_TOKENS, context_window: 200000 }],
      },
    },
  }),
  directPath: "/api/anthropic",
});

describe("non-streaming", () => {
  test("a recorded text answer reaches the SDK field by field; the request is a Messages request", async () => {
    const { data: completion, response } = await suite.client.chat.completions
      .create({
        model: `anthropic/${MODEL}`,
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: "Hello, how are you?" },
        ],
      })
      .withResponse();
    const recorded = JSON.parse(anthropic("messages-text.json"));
    expect(completion.object).toBe("chat.completion");
    expect(completion.id).toStartWith("chatcmpl-");
    expect(completion.model).toBe(recorded.model);
    expect(completion.choices).toHaveLength(1);
    expect(completion.choices[0]?.message.role).toBe("assistant");
    expect(completion.choices[0]?.message.content).toBe(recorded.content[0].text);
    expect(completion.choices[0]?.message.tool_calls).toBeUndefined();
    expect(completion.choices[0]?.finish_reason).toBe("stop");
    expect(completion.usage).toEqual({
      prompt_tokens: 12,
      completion_tokens: 29,
      total_tokens: 41,
      prompt_tokens_details: { cached_tokens: 0 },
    });
    expect(response.headers.get("x-aisbf-provider")).toBe("anthropic");
    expect(response.headers.get("x-aisbf-model")).toBe(MODEL);
    expect(response.headers.get("x-aisbf-warnings")).toContain(
      `max_tokens was not set; used the configured default of ${MAX_TOKENS}`,
    );

    const request = suite.sent(0);
    expect(suite.upstream.requests).toHaveLength(1);
    expect(request.method).toBe("POST");
    expect(request.path).toBe("/v1/messages");
    expect(request.headers.get("x-api-key")).toBe(KEY);
    expect(request.headers.get("authorization")).toBeNull();
    expect(request.headers.get("anthropic-version")).toBeTruthy();
    expect(request.body).toEqual({
      model: MODEL,
      max_tokens: MAX_TOKENS,
      system: [{ type: "text", text: "Be brief." }],
      messages: [{ role: "user", content: [{ type: "text", text: "Hello, how are you?" }] }],
      stream: false,
    });
  });

  test("/api/anthropic takes the upstream model name; every request field is translated", async () => {
    await suite.direct.chat.completions.create({
      model: MODEL,
      max_completion_tokens: 300,
      stop: ["\n\nHuman:", "END"],
      user: "user-42",
      parallel_tool_calls: false,
      tools: [RETRIEVE_TOOL],
      tool_choice: { type: "function", function: { name: "retrieve_entity_info" } },
      response_format: {
        type: "json_schema",
        json_schema: { name: "answer", schema: { type: "object", properties: { age: { type: "number" } } } },
      },
      messages: [
        { role: "system", content: "You are a family archivist." },
        { role: "developer", content: [{ type: "text", text: "Answer in JSON." }] },
        { role: "user", content: "Look at these two pictures." },
        {
          role: "user",
          content: [
            { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
            { type: "image_url", image_url: { url: "https://example.com/family.jpg" } },
            { type: "text", text: "Who is youngest?" },
          ],
        },
      ],
    });
    expect(suite.sent(0).body).toEqual({
      model: MODEL,
      max_tokens: 300,
      stream: false,
      system: [
        { type: "text", text: "You are a family archivist." },
        { type: "text", text: "Answer in JSON." },
      ],
      // Two user messages in a row are one Anthropic user turn.
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "Look at these two pictures." },
            { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } },
            { type: "image", source: { type: "url", url: "https://example.com/family.jpg" } },
            { type: "text", text: "Who is youngest?" },
          ],
        },
      ],
      stop_sequences: ["\n\nHuman:", "END"],
      metadata: { user_id: "user-42" },
      tools: [
        {
          name: "retrieve_entity_info",
          description: "Facts about a family member",
          input_schema: { type: "object", properties: { name: { type: "string" } }, required: ["name"] },
        },
      ],
      tool_choice: { type: "tool", name: "retrieve_entity_info", disable_parallel_tool_use: true },
      output_config: {
        format: { type: "json_schema", schema: { type: "object", properties: { age: { type: "number" } } } },
      },
    });
  });

  test("cache_control on content parts (as OpenRouter clients send it) becomes Anthropic cache breakpoints", async () => {
    // https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching ; https://openrouter.ai/docs/features/prompt-caching
    const response = await fetch(`${suite.gateway.url}/api/anthropic/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: MODEL,
        max_tokens: 100,
        messages: [
          {
            role: "system",
            content: [
              { type: "text", text: "A long manual.", cache_control: { type: "ephemeral", ttl: "1h" } },
            ],
          },
          {
            role: "user",
            content: [
              { type: "text", text: "A long document.", cache_control: { type: "ephemeral" } },
              { type: "text", text: "What does it say?" },
            ],
          },
        ],
      }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-aisbf-warnings")).toBeNull();
    expect(suite.sent(0).body.system).toEqual([
      { type: "text", text: "A long manual.", cache_control: { type: "ephemeral", ttl: "1h" } },
    ]);
    expect(suite.sent(0).body.messages).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "A long document.", cache_control: { type: "ephemeral" } },
          { type: "text", text: "What does it say?" },
        ],
      },
    ]);
  });

  test("recorded parallel tool calls keep their ids, names and arguments", async () => {
    suite.upstream.handle(() => json("messages-parallel-tool-use.json"));
    const completion = await suite.client.chat.completions.create({
      model: `anthropic/${MODEL}`,
      messages: [{ role: "user", content: "Who is the youngest?" }],
      tools: [RETRIEVE_TOOL],
    });
    const recorded = JSON.parse(anthropic("messages-parallel-tool-use.json"));
    const uses = recorded.content.filter((block: Block) => block.type === "tool_use");
    const message = completion.choices[0]?.message;
    expect(message?.content).toBe(recorded.content[0].text);
    expect(completion.choices[0]?.finish_reason).toBe("tool_calls");
    expect(message?.tool_calls).toEqual(
      uses.map((use: { id: string; name: string; input: unknown }) => ({
        id: use.id,
        type: "function",
        function: { name: use.name, arguments: JSON.stringify(use.input) },
      })),
    );
    expect(completion.usage?.prompt_tokens).toBe(423);
    expect(completion.usage?.completion_tokens).toBe(202);
    expect(completion.usage?.total_tokens).toBe(625);
    expect(completion.model).toBe("claude-haiku-4-5-20251001");
  });

  test("a tool call without arguments comes back as '{}'", async () => {
    suite.upstream.handle(() => json("messages-tool-use-no-args.json"));
    const completion = await suite.client.chat.completions.create({
      model: `anthropic/${MODEL}`,
      messages: [{ role: "user", content: "Update the issue list" }],
      tools: [{ type: "function", function: { name: "updateIssueList", parameters: { type: "object" } } }],
    });
    const call = completion.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === "function" && call.function).toEqual({ name: "updateIssueList", arguments: "{}" });
    expect(call?.id).toBe("toolu_01LRmxn9vGM1d2DZSDBowdZ1");
    expect(completion.choices[0]?.message.content).toContain("Okay, I will update the current issue list:");
  });

  test("recorded thinking: reasoning_content, and reasoning_details carrying the signature", async () => {
    suite.upstream.handle(() => json("messages-thinking.json"));
    const completion = await suite.client.chat.completions.create({
      model: `anthropic/${MODEL}`,
      max_tokens: 2000,
      reasoning_effort: "low",
      messages: [{ role: "user", content: "How do I cross the street?" }],
    });
    const recorded = JSON.parse(anthropic("messages-thinking.json"));
    const message = completion.choices[0]?.message as OpenAI.ChatCompletionMessage & ReasoningFields;
    expect(message.content).toBe(recorded.content[1].text);
    expect(message.reasoning_content).toBe(recorded.content[0].thinking);
    expect(message.reasoning_details).toEqual([
      {
        type: "reasoning.text",
        text: recorded.content[0].thinking,
        signature: recorded.content[0].signature,
        format: "anthropic-claude-v1",
        index: 0,
      },
    ]);
    // The recorded answer came from claude-sonnet-4-5 and MODEL is claude-haiku-4-5: models before adaptive
    // thinking, so the effort is sent as a budget, without output_config.effort.
    expect(suite.sent(0).body.thinking).toEqual({ type: "enabled", budget_tokens: 1024 });
    expect(suite.sent(0).body.output_config).toBeUndefined();
  });

  test("reasoning_effort on a model with adaptive thinking: adaptive, at that effort", async () => {
    suite.upstream.handle(() => json("messages-thinking.json"));
    await suite.client.chat.completions.create({
      model: "anthropic/claude-opus-4-6",
      max_tokens: 2000,
      reasoning_effort: "low",
      messages: [{ role: "user", content: "How do I cross the street?" }],
    });
    expect(suite.sent(0).body.thinking).toEqual({ type: "adaptive" });
    expect(suite.sent(0).body.output_config).toEqual({ effort: "low" });
  });

  test("temperature and n=2 are dropped with a warning; top_p is not sent either", async () => {
    const { response } = await suite.client.chat.completions
      .create({
        model: `anthropic/${MODEL}`,
        max_tokens: 100,
        temperature: 0.2,
        top_p: 0.9,
        n: 2,
        messages: [{ role: "user", content: "hi" }],
      })
      .withResponse();
    const warnings = response.headers.get("x-aisbf-warnings") ?? "";
    expect(warnings).toContain("temperature is deprecated by Anthropic and was not sent");
    expect(warnings).toContain("top_p is deprecated by Anthropic and was not sent");
    expect(warnings).toContain("n > 1 is not supported by Anthropic");
    // max_tokens was given: no default, no warning about it.
    expect(warnings).not.toContain("max_tokens");
    const body = suite.sent(0).body;
    expect(body.temperature).toBeUndefined();
    expect(body.top_p).toBeUndefined();
    expect(body.max_tokens).toBe(100);
  });
});

describe("streaming", () => {
  test("a recorded text stream (pings and padded lines) reaches the SDK as OpenAI chunks", async () => {
    suite.upstream.handle(() => sse("messages-stream-text-httprr.sse"));
    const { data: stream, response } = await suite.client.chat.completions
      .create({
        model: `anthropic/${MODEL}`,
        max_tokens: 50,
        messages: [{ role: "user", content: "Count to 5" }],
        stream: true,
        stream_options: { include_usage: true },
      })
      .withResponse();
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const collected = await collectStream(stream);
    expect(collected.content).toBe("1\n2\n3\n4\n5");
    expect(collected.firstRole).toBe("assistant");
    expect(collected.finishReasons).toEqual(["stop"]);
    expect(collected.usage).toEqual({
      prompt_tokens: 15,
      completion_tokens: 13,
      total_tokens: 28,
      prompt_tokens_details: { cached_tokens: 0 },
    });
    expect([...collected.ids]).toHaveLength(1);
    expect([...collected.ids][0]).toStartWith("chatcmpl-");
    expect([...collected.models]).toEqual(["claude-3-opus-20240229"]);
    expect([...collected.objects]).toEqual(["chat.completion.chunk"]);
    // ping and content_block_stop events produce nothing for the client.
    expect(collected.emptyChunks).toBe(0);
    // The usage chunk comes last, with no choices.
    expect(collected.chunks.at(-1)?.choices).toEqual([]);
    expect(suite.sent(0).body.stream).toBe(true);
  });

  test("the raw SSE ends with [DONE]; no usage chunk unless asked for", async () => {
    suite.upstream.handle(() => jsonlToSSEResponse("messages-text-stream.chunks.jsonl"));
    const response = await fetch(`${suite.gateway.url}/api/anthropic/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: MODEL,
        max_tokens: 50,
        stream: true,
        messages: [{ role: "user", content: "hi" }],
      }),
    });
    const events = sseEventsOf(await response.text()).map((event) => event.trim());
    expect(events.at(-1)).toBe("data: [DONE]");
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event.slice("data: ".length)));
    expect(chunks.every((chunk) => chunk.choices.length === 1)).toBe(true);
    const text = chunks.map((chunk) => chunk.choices[0].delta.content ?? "").join("");
    expect(text).toBe(
      "Hello! I'm doing well, thank you for asking. How are you doing today? Is there anything I can help you with?",
    );
    expect(chunks.at(-1).choices[0].finish_reason).toBe("stop");
  });

  test("a recorded stop-sequence stream: stop_sequences sent, finish_reason stop", async () => {
    suite.upstream.handle(() => sse("messages-stream-stop-sequence.sse"));
    const stream = await suite.client.chat.completions.create({
      model: `anthropic/${MODEL}`,
      max_tokens: 200,
      stop: "```",
      messages: [{ role: "user", content: "Write a pelican function" }],
      stream: true,
    });
    const collected = await collectStream(stream);
    expect(collected.content).toStartWith("\ndef pelican():");
    expect(collected.finishReasons).toEqual(["stop"]);
    expect(collected.usage).toBeUndefined();
    expect(suite.sent(0).body.stop_sequences).toEqual(["```"]);
  });

  test("recorded streamed parallel tool calls assemble with ids, names and '{}' arguments", async () => {
    suite.upstream.handle(() => sse("messages-stream-parallel-tool-use.sse"));
    const stream = await suite.direct.chat.completions.create({
      model: MODEL,
      max_tokens: 200,
      tools: [PELICAN_TOOL],
      tool_choice: "required",
      messages: [{ role: "user", content: "Two names for my pelican" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const collected = await collectStream(stream);
    expect(collected.toolCalls).toEqual([
      {
        index: 0,
        id: "toolu_01LtHJmixrs9NcWQkK8hu8hj",
        type: "function",
        name: "pelican_name_generator",
        arguments: "{}",
      },
      {
        index: 1,
        id: "toolu_01N8a4jWyf116qKTMqKKmjyt",
        type: "function",
        name: "pelican_name_generator",
        arguments: "{}",
      },
    ]);
    expect(collected.finishReasons).toEqual(["tool_calls"]);
    expect(collected.content).toBe("");
    expect(collected.usage?.total_tokens).toBe(542 + 62);
    expect(suite.sent(0).body.tool_choice).toEqual({ type: "any" });
  });

  test("a recorded thinking stream: reasoning deltas, then the signed block in reasoning_details", async () => {
    suite.upstream.handle(() => sse("messages-stream-thinking.sse"));
    const stream = await suite.client.chat.completions.create({
      model: `anthropic/${MODEL}`,
      max_tokens: 2000,
      reasoning_effort: "medium",
      messages: [{ role: "user", content: "How do I cross the street?" }],
      stream: true,
    });
    const collected = await collectStream(stream);
    const expected = recordedThinking("messages-stream-thinking.sse");
    expect(collected.reasoning).toBe(expected.thinking);
    expect(collected.content).toBe(expected.text);
    expect(collected.reasoningDetails).toEqual([
      {
        type: "reasoning.text",
        text: expected.thinking,
        signature: expected.signature,
        format: "anthropic-claude-v1",
        index: 0,
      },
    ]);
    expect(collected.finishReasons).toEqual(["stop"]);
  });
});

describe("server tools", () => {
  /** The text of a recorded answer's text blocks, read without the translator. */
  const recordedText = (blocks: Block[]) =>
    blocks
      .filter((block) => block.type === "text")
      .map((block) => String(block.text))
      .join("");

  test("a recorded web search answer: the client gets its text; the search blocks have no Chat form", async () => {
    suite.upstream.handle(() => json("messages-web-search.json"));
    const completion = await suite.client.chat.completions.create({
      model: `anthropic/${MODEL}`,
      max_tokens: 1000,
      messages: [{ role: "user", content: "What's in the tech news today?" }],
    });
    const recorded = JSON.parse(anthropic("messages-web-search.json"));
    expect(recorded.content.some((block: Block) => block.type === "server_tool_use")).toBe(true);
    expect(completion.choices[0]?.message.content).toBe(recordedText(recorded.content));
    expect(completion.choices[0]?.message.tool_calls).toBeUndefined();
    expect(completion.choices[0]?.finish_reason).toBe("stop");
  });

  test("a recorded web search stream: text deltas only, no tool calls, one finish", async () => {
    suite.upstream.handle(() => jsonlToSSEResponse("messages-stream-web-search.chunks.jsonl"));
    const collected = await collectStream(
      await suite.client.chat.completions.create({
        model: `anthropic/${MODEL}`,
        max_tokens: 1000,
        messages: [{ role: "user", content: "What's in the tech news today?" }],
        stream: true,
      }),
    );
    const deltas = ssePayloads(jsonlToSSE(anthropic("messages-stream-web-search.chunks.jsonl")).join(""))
      .map((event) => event.delta as Block | undefined)
      .filter((delta) => delta?.type === "text_delta");
    expect(collected.content).toBe(deltas.map((delta) => String(delta?.text)).join(""));
    expect(collected.toolCalls).toEqual([]);
    expect(collected.finishReasons).toEqual(["stop"]);
    expect(collected.emptyChunks).toBe(0);
  });
});

describe("multi-turn conversations", () => {
  test("tool calls and their results come back as paired tool_use / tool_result blocks", async () => {
    suite.upstream.handle(() => json("messages-parallel-tool-use.json"));
    const history: OpenAI.ChatCompletionMessageParam[] = [
      { role: "system", content: "You are a family archivist." },
      { role: "user", content: "Who is the youngest of Alice, Bob, Charlie and Daisy?" },
    ];
    const first = await suite.client.chat.completions.create({
      model: `anthropic/${MODEL}`,
      max_tokens: 500,
      tools: [RETRIEVE_TOOL],
      messages: history,
    });
    const calls = first.choices[0]?.message.tool_calls ?? [];
    expect(calls).toHaveLength(4);

    suite.upstream.handle(() => json("messages-text.json"));
    const ages: Record<string, number> = { Alice: 41, Bob: 38, Charlie: 12, Daisy: 9 };
    // Results in the reverse order of the calls: pairing is by id, not by position.
    const results: OpenAI.ChatCompletionToolMessageParam[] = [...calls].reverse().map((call) => {
      const name = call.type === "function" ? JSON.parse(call.function.arguments).name : "";
      return { role: "tool", tool_call_id: call.id, content: JSON.stringify({ name, age: ages[name] }) };
    });
    const second = await suite.client.chat.completions.create({
      model: `anthropic/${MODEL}`,
      max_tokens: 500,
      tools: [RETRIEVE_TOOL],
      messages: [
        ...history,
        assistantFromCompletion(first),
        ...results,
        { role: "user", content: "Answer in one word." },
      ],
    });
    expect(second.choices[0]?.message.content).toStartWith("Hello!");

    const recorded = JSON.parse(anthropic("messages-parallel-tool-use.json"));
    const body = suite.sent(1).body;
    expect(body.system).toEqual([{ type: "text", text: "You are a family archivist." }]);
    expect(body.messages.map((message) => message.role)).toEqual(["user", "assistant", "user"]);
    // The assistant turn as Anthropic produced it: its text, then each tool_use with its id, name and input.
    expect(body.messages[1]?.content).toEqual(recorded.content);
    // The tool results (all in one user turn, ahead of the text) name the tool_use they answer.
    const resultTurn = body.messages[2]?.content ?? [];
    expect(resultTurn.map((block) => block.type)).toEqual([
      "tool_result",
      "tool_result",
      "tool_result",
      "tool_result",
      "text",
    ]);
    for (const use of recorded.content.filter((block: Block) => block.type === "tool_use")) {
      const result = resultTurn.find((block) => block.tool_use_id === use.id);
      expect(result?.content).toBe(JSON.stringify({ name: use.input.name, age: ages[use.input.name] }));
    }
    expect(resultTurn.at(-1)).toEqual({ type: "text", text: "Answer in one word." });
  });

  test("streamed thinking, then streamed tool calls: thinking blocks and signatures survive every turn", async () => {
    // Turn 1: a thinking answer, streamed.
    suite.upstream.handle(() => sse("messages-stream-thinking.sse"));
    const question: OpenAI.ChatCompletionMessageParam = {
      role: "user",
      content: "How do I cross the street?",
    };
    const turn1 = await collectStream(
      await suite.client.chat.completions.create({
        model: `anthropic/${MODEL}`,
        max_tokens: 2000,
        reasoning_effort: "medium",
        messages: [question],
        stream: true,
      }),
    );

    // Turn 2: the client sends the answer back as it received it; the model calls tools (streamed).
    suite.upstream.handle(() => sse("messages-stream-parallel-tool-use.sse"));
    const ask: OpenAI.ChatCompletionMessageParam = { role: "user", content: "Now name my two pelicans." };
    const history = [question, assistantFromStream(turn1), ask];
    const turn2 = await collectStream(
      await suite.client.chat.completions.create({
        model: `anthropic/${MODEL}`,
        max_tokens: 2000,
        reasoning_effort: "medium",
        tools: [PELICAN_TOOL],
        messages: history,
        stream: true,
      }),
    );
    expect(turn2.toolCalls).toHaveLength(2);

    // Turn 3: the tool results.
    suite.upstream.handle(() => sse("messages-stream-text-httprr.sse"));
    const turn3 = await collectStream(
      await suite.client.chat.completions.create({
        model: `anthropic/${MODEL}`,
        max_tokens: 2000,
        reasoning_effort: "medium",
        tools: [PELICAN_TOOL],
        messages: [
          ...history,
          assistantFromStream(turn2),
          { role: "tool", tool_call_id: turn2.toolCalls[0]?.id ?? "", content: "Percy" },
          { role: "tool", tool_call_id: turn2.toolCalls[1]?.id ?? "", content: "Gulliver" },
        ],
        stream: true,
      }),
    );
    expect(turn3.finishReasons).toEqual(["stop"]);

    const expected = recordedThinking("messages-stream-thinking.sse");
    const thinkingTurn = {
      role: "assistant",
      content: [
        { type: "thinking", thinking: expected.thinking, signature: expected.signature },
        { type: "text", text: expected.text },
      ],
    };
    expect(suite.sent(1).body.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "How do I cross the street?" }] },
      thinkingTurn,
      { role: "user", content: [{ type: "text", text: "Now name my two pelicans." }] },
    ]);
    expect(suite.sent(2).body.messages.slice(0, 3)).toEqual(suite.sent(1).body.messages);
    expect(suite.sent(2).body.messages.slice(3)).toEqual([
      {
        role: "assistant",
        content: [
          {
            type: "tool_use",
            id: "toolu_01LtHJmixrs9NcWQkK8hu8hj",
            name: "pelican_name_generator",
            input: {},
          },
          {
            type: "tool_use",
            id: "toolu_01N8a4jWyf116qKTMqKKmjyt",
            name: "pelican_name_generator",
            input: {},
          },
        ],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "toolu_01LtHJmixrs9NcWQkK8hu8hj", content: "Percy" },
          { type: "tool_result", tool_use_id: "toolu_01N8a4jWyf116qKTMqKKmjyt", content: "Gulliver" },
        ],
      },
    ]);
  });

  test("non-streamed thinking goes back as the same signed thinking block", async () => {
    suite.upstream.handle(() => json("messages-thinking.json"));
    const question: OpenAI.ChatCompletionMessageParam = {
      role: "user",
      content: "How do I cross the street?",
    };
    const first = await suite.client.chat.completions.create({
      model: `anthropic/${MODEL}`,
      max_tokens: 2000,
      reasoning_effort: "low",
      messages: [question],
    });
    suite.upstream.handle(() => json("messages-text.json"));
    await suite.client.chat.completions.create({
      model: `anthropic/${MODEL}`,
      max_tokens: 2000,
      reasoning_effort: "low",
      messages: [question, assistantFromCompletion(first), { role: "user", content: "Thanks!" }],
    });
    const recorded = JSON.parse(anthropic("messages-thinking.json"));
    // The recorded content blocks, byte for byte: thinking (with signature) first, then the text.
    expect(suite.sent(1).body.messages[1]).toEqual({
      role: "assistant",
      content: [
        {
          type: "thinking",
          thinking: recorded.content[0].thinking,
          signature: recorded.content[0].signature,
        },
        { type: "text", text: recorded.content[1].text },
      ],
    });
  });

  test("redacted thinking goes back as redacted_thinking blocks, in order", async () => {
    suite.upstream.handle(() => sse("messages-stream-redacted-thinking.sse"));
    const question: OpenAI.ChatCompletionMessageParam = {
      role: "user",
      content: "ANTHROPIC_MAGIC_STRING_TRIGGER_REDACTED_THINKING",
    };
    const turn1 = await collectStream(
      await suite.client.chat.completions.create({
        model: `anthropic/${MODEL}`,
        max_tokens: 2000,
        messages: [question],
        stream: true,
      }),
    );
    const redacted = ssePayloads(anthropic("messages-stream-redacted-thinking.sse"))
      .filter((event) => event.type === "content_block_start")
      .map((event) => event.content_block as Block)
      .filter((block) => block.type === "redacted_thinking");
    expect(redacted).toHaveLength(2);
    expect(turn1.reasoning).toBe("");
    expect(turn1.reasoningDetails).toEqual(
      redacted.map((block, index) => ({
        type: "reasoning.encrypted",
        data: block.data,
        format: "anthropic-claude-v1",
        index,
      })),
    );

    suite.upstream.handle(() => json("messages-text.json"));
    await suite.client.chat.completions.create({
      model: `anthropic/${MODEL}`,
      max_tokens: 2000,
      messages: [question, assistantFromStream(turn1), { role: "user", content: "Go on." }],
    });
    const assistant = suite.sent(1).body.messages[1];
    expect(assistant?.content.slice(0, 2)).toEqual(redacted);
    expect(assistant?.content[2]).toEqual({ type: "text", text: turn1.content });
  });
});

describe("upstream errors", () => {
  test("529 overloaded reaches the client as a 503 in OpenAI's shape, after one retry", async () => {
    suite.upstream.handle(() => jsonResponse(documentedError("overloaded_error", "Overloaded"), 529));
    const error = await apiErrorOf(
      suite.client.chat.completions.create({
        model: "anthropic/claude-overloaded",
        max_tokens: 10,
        messages: [{ role: "user", content: "hi" }],
      }),
    );
    expect(error.status).toBe(503);
    expect(error.type).toBe("api_error");
    expect(error.code).toBe("overloaded_error");
    expect(error.message).toContain("Overloaded");
    expect(error.message).not.toContain(KEY);
    // Transient: retried once on the same target, then given up.
    expect(suite.upstream.requests).toHaveLength(2);
  });

  test("429 with retry-after reaches the client as a 429 with Retry-After", async () => {
    suite.upstream.handle(() =>
      jsonResponse(
        documentedError("rate_limit_error", "Number of request tokens has exceeded your limit"),
        429,
        {
          "retry-after": "12",
        },
      ),
    );
    const response = await fetch(`${suite.gateway.url}/api/anthropic/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "claude-rate-limited",
        max_tokens: 10,
        messages: [{ role: "user", content: "hi" }],
      }),
    });
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("12");
    const body = await response.json();
    expect(body).toEqual({
      error: {
        message: "Provider 'anthropic' answered 429: Number of request tokens has exceeded your limit",
        type: "rate_limit_error",
        code: "rate_limit_error",
        param: null,
      },
    });
    // 12 s is longer than the gateway waits on one target: no retry.
    expect(suite.upstream.requests).toHaveLength(1);
  });

  test("a recorded 404 model not found keeps its status; the SDK sees a NotFoundError", async () => {
    suite.upstream.handle(() => jsonResponse(anthropic("error-404-not-found-model.json"), 404));
    const error = await apiErrorOf(
      suite.client.chat.completions.create({
        model: "anthropic/claude-sonet-4-5",
        max_tokens: 10,
        messages: [{ role: "user", content: "hi" }],
      }),
    );
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error.type).toBe("not_found_error");
    expect(error.code).toBe("not_found_error");
    expect(error.message).toContain("model: claude-sonet-4-5");
  });

  test("a recorded 400 (orphan tool_result) is returned as a 400, not retried", async () => {
    suite.upstream.handle(() => jsonResponse(anthropic("error-400-invalid-request-tool-result.json"), 400));
    const error = await apiErrorOf(
      suite.client.chat.completions.create({
        model: "anthropic/claude-bad-request",
        max_tokens: 10,
        messages: [{ role: "user", content: "hi" }],
      }),
    );
    expect(error.status).toBe(400);
    expect(error.type).toBe("invalid_request_error");
    expect(error.message).toContain("unexpected `tool_use_id` found in `tool_result` blocks");
    expect(suite.upstream.requests).toHaveLength(1);
  });

  test("an overloaded_error event before any content is a 503, not an empty answer", async () => {
    // The recorded stream's message_start, then Anthropic's documented in-stream error event.
    const start = sseEventsOf(anthropic("messages-stream-text-httprr.sse"))[0] ?? "";
    const errorEvent = `event: error\ndata: ${documentedError("overloaded_error", "Overloaded")}\n\n`;
    suite.upstream.handle(() => sseResponse([start, errorEvent]));
    const error = await apiErrorOf(
      suite.client.chat.completions.create({
        model: "anthropic/claude-overloaded-stream",
        max_tokens: 10,
        messages: [{ role: "user", content: "hi" }],
        stream: true,
      }),
    );
    expect(error.status).toBe(503);
    expect(error.code).toBe("overloaded_error");
  });
});

describe("billing failures in a rotation", () => {
  test("400 'credit balance is too low': no retry, the rotation moves on and disables that member", async () => {
    const broke = startMock(() =>
      jsonResponse(
        documentedError(
          "invalid_request_error",
          "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.",
        ),
        400,
      ),
    );
    const paid = startMock(() => json("messages-text.json"));
    const member = (id: string, url: string): ProviderConfig => ({
      id,
      name: id,
      type: "anthropic",
      endpoint: url,
      api_key_required: true,
      api_key: KEY,
      models: [{ name: MODEL, max_tokens: MAX_TOKENS }],
    });
    const pool = startGateway({
      providers: { broke: member("broke", broke.url), paid: member("paid", paid.url) },
      rotations: {
        pool: {
          strategy: "priority",
          providers: [
            { provider_id: "broke", models: [{ name: MODEL, weight: 2 }] },
            { provider_id: "paid", models: [{ name: MODEL, weight: 1 }] },
          ],
        },
      },
      random: () => 0,
    });
    try {
      const ask = () =>
        fetch(`${pool.url}/api/pool/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            model: "pool",
            max_tokens: 10,
            messages: [{ role: "user", content: "hi" }],
          }),
        });
      const first = await ask();
      expect(first.status).toBe(200);
      expect(first.headers.get("x-aisbf-provider")).toBe("paid");
      await ask();
      expect(broke.requests).toHaveLength(1);
      const health = await (await fetch(`${pool.url}/health`)).json();
      expect(health.targets[`broke/${MODEL}`].state).toBe("disabled");
    } finally {
      await pool.stop();
      await broke.stop();
      await paid.stop();
    }
  });
});

describe("models", () => {
  test("GET /api/anthropic/models lists the upstream's models in OpenAI's shape", async () => {
    suite.upstream.handle((request) =>
      request.path === "/v1/models" ? jsonResponse(MODELS_PAGE) : jsonResponse("{}", 500),
    );
    const page = await suite.direct.models.list();
    expect(page.data).toEqual([
      {
        id: "claude-sonnet-4-5-20250929",
        object: "model",
        created: Date.parse("2025-09-29T00:00:00Z") / 1000,
        owned_by: "anthropic",
      },
      {
        id: "claude-haiku-4-5-20251001",
        object: "model",
        created: Date.parse("2025-10-01T00:00:00Z") / 1000,
        owned_by: "anthropic",
      },
    ]);
    expect(suite.sent(0).method).toBe("GET");
    expect(suite.sent(0).headers.get("x-api-key")).toBe(KEY);
  });

  test("GET /v1/models lists the configured anthropic/<model>", async () => {
    const page = await suite.client.models.list();
    expect(page.data.map((model) => model.id)).toContain(`anthropic/${MODEL}`);
  });
});

function jsonlToSSEResponse(name: string): Response {
  return sseResponse(jsonlToSSE(anthropic(name)));
}

/** The thinking text, its signature and the answer text of a recorded stream, read without the translator. */
function recordedThinking(name: string): { thinking: string; signature: string; text: string } {
  const out = { thinking: "", signature: "", text: "" };
  for (const event of ssePayloads(anthropic(name))) {
    if (event.type !== "content_block_delta") continue;
    const delta = event.delta as Record<string, string>;
    if (delta.type === "thinking_delta") out.thinking += delta.thinking;
    if (delta.type === "signature_delta") out.signature += delta.signature;
    if (delta.type === "text_delta") out.text += delta.text;
  }
  return out;
}
