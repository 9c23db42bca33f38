// Canonical requests -> Ollama /api/chat bodies (docs/api.md), including what is dropped with a warning.
import { describe, expect, test } from "bun:test";
import type { ContentBlock, Message, TextBlock } from "../../canonical/content.ts";
import {
  type CanonicalRequest,
  emptyRequest,
  type FunctionTool,
  type ReasoningOptions,
} from "../../canonical/request.ts";
import { toOllamaRequest } from "./request.ts";
import type { OllamaChatRequest, OllamaTool } from "./wire.ts";

const text = (value: string): TextBlock => ({ type: "text", text: value });
const user = (...content: ContentBlock[]): Message => ({ role: "user", content });
const assistant = (...content: ContentBlock[]): Message => ({ role: "assistant", content });

/** A canonical request: one user turn saying "hi" unless the overrides say otherwise. */
function request(overrides: Partial<CanonicalRequest> = {}): CanonicalRequest {
  return { ...emptyRequest([user(text("hi"))]), ...overrides };
}

const translate = (overrides: Partial<CanonicalRequest> = {}, prefill?: string) =>
  toOllamaRequest({ request: request(overrides), model: "llama3.2", prefill });

const weatherFunction = {
  name: "get_weather",
  description: "Get the weather in a given city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};
const weatherTool: FunctionTool = weatherFunction;
/** docs/api.md "Chat request (with tools)": a tool is { type: "function", function: {...} }. */
const ollamaWeatherTool: OllamaTool = { type: "function", function: weatherFunction };

describe("messages", () => {
  test("system blocks become system messages; the upstream model name is used; stream is explicit", () => {
    const { native, warnings } = translate({
      system: [text("be brief"), { type: "text", text: "use metric" }],
    });
    expect(native).toEqual({
      model: "llama3.2",
      stream: false,
      messages: [
        { role: "system", content: "be brief" },
        { role: "system", content: "use metric" },
        { role: "user", content: "hi" },
      ],
    });
    expect(warnings).toEqual([]);
  });

  test("base64 images become images; URL and file images are dropped with a warning", () => {
    const { native, warnings } = translate({
      messages: [
        user(
          text("what is in"),
          { type: "image", source: { type: "base64", mediaType: "image/png", data: "iVBORw0KGgo=" } },
          text("these?"),
          { type: "image", source: { type: "url", url: "https://example.com/cat.png" } },
          { type: "image", source: { type: "file", fileId: "file-1" } },
          { type: "image", source: { type: "base64", mediaType: "image/png", data: "AAAA" }, detail: "auto" },
        ),
      ],
    });
    expect(native.messages).toEqual([
      { role: "user", content: "what is in\nthese?", images: ["iVBORw0KGgo=", "AAAA"] },
    ]);
    expect(warnings).toEqual([
      "image URLs other than base64 data: URLs were dropped (Ollama only accepts inline images)",
      "images given by file id were dropped (Ollama only accepts inline images)",
    ]);
  });

  test("an image detail other than auto is reported", () => {
    const image: ContentBlock = {
      type: "image",
      source: { type: "base64", mediaType: "image/png", data: "AAAA" },
      detail: "high",
    };
    expect(translate({ messages: [user(image)] }).warnings).toEqual([
      "image 'detail' was dropped (Ollama has no image detail setting)",
    ]);
  });

  test("a multi-turn tool conversation keeps calls and results paired, arguments as objects", () => {
    const { native, warnings } = translate({
      messages: [
        user(text("weather in Toronto and Paris?")),
        assistant(
          { type: "thinking", text: "Two cities, two calls." },
          { type: "tool_call", id: "call_a", name: "get_weather", arguments: '{"city":"Toronto"}' },
          { type: "tool_call", id: "call_b", name: "get_time", arguments: '{"city":"Paris"}' },
        ),
        user({ type: "tool_result", callId: "call_b", content: [text("14:00")] }),
        user({ type: "tool_result", callId: "call_a", content: [text("11 degrees celsius")] }),
        assistant(text("Toronto is 11°C; it is 14:00 in Paris.")),
        user(text("thanks")),
      ],
      tools: [weatherTool],
    });
    expect(native.messages).toEqual([
      { role: "user", content: "weather in Toronto and Paris?" },
      {
        role: "assistant",
        content: "",
        thinking: "Two cities, two calls.",
        tool_calls: [
          { id: "call_a", function: { name: "get_weather", arguments: { city: "Toronto" } } },
          { id: "call_b", function: { name: "get_time", arguments: { city: "Paris" } } },
        ],
      },
      { role: "tool", content: "14:00", tool_name: "get_time", tool_call_id: "call_b" },
      { role: "tool", content: "11 degrees celsius", tool_name: "get_weather", tool_call_id: "call_a" },
      { role: "assistant", content: "Toronto is 11°C; it is 14:00 in Paris." },
      { role: "user", content: "thanks" },
    ]);
    expect(native.tools).toEqual([ollamaWeatherTool]);
    expect(warnings).toEqual([]);
  });

  test("a user turn with results and text (Anthropic's shape) sends the results first, then the text", () => {
    const { native } = translate({
      messages: [
        user(text("go")),
        assistant({ type: "tool_call", id: "c1", name: "f", arguments: "{}" }),
        user(text("and then?"), { type: "tool_result", callId: "c1", content: [text("done")] }),
      ],
    });
    expect(native.messages.slice(2)).toEqual([
      { role: "tool", content: "done", tool_name: "f", tool_call_id: "c1" },
      { role: "user", content: "and then?" },
    ]);
  });

  test("arguments that are not a JSON object are sent as {}; results are named by their call, or their own name", () => {
    const { native, warnings } = translate({
      messages: [
        user(text("go")),
        assistant({ type: "tool_call", id: "c1", name: "f", arguments: "not json" }),
        user({ type: "tool_result", callId: "other", content: [text("x")] }),
        user({ type: "tool_result", callId: "gemini-style", name: "g", content: [text("y")] }),
      ],
    });
    expect(native.messages[1]?.tool_calls).toEqual([{ id: "c1", function: { name: "f", arguments: {} } }]);
    expect(native.messages[2]).toEqual({ role: "tool", content: "x", tool_call_id: "other" });
    expect(native.messages[3]).toEqual({
      role: "tool",
      content: "y",
      tool_call_id: "gemini-style",
      tool_name: "g",
    });
    expect(warnings).toEqual([
      "tool call 'f' had arguments that are not a JSON object; sent as {}",
      "a tool result did not match any earlier tool call id; sent without tool_name",
    ]);
  });

  test("signed thinking goes back as its text; redacted thinking and other blocks Ollama cannot take are reported", () => {
    const { native, warnings } = translate({
      messages: [
        user(text("go"), { type: "audio", data: "UklGRg==", format: "wav" }),
        assistant(
          { type: "thinking", text: "first", signature: "sig", origin: "anthropic" },
          { type: "redacted_thinking", data: "opaque", origin: "anthropic" },
          { type: "thinking", text: "second", origin: "ollama" },
          text("answer"),
          { type: "refusal", text: "no" },
          { type: "server_tool_call", id: "s1", name: "web_search", input: {} },
          { type: "image", source: { type: "base64", mediaType: "image/png", data: "AAAA" } },
        ),
        user(
          { type: "document", source: { type: "base64", mediaType: "application/pdf", data: "JVBE" } },
          {
            type: "tool_result",
            callId: "c9",
            name: "f",
            isError: true,
            content: [text("failed"), { type: "image", source: { type: "url", url: "https://x/y.png" } }],
          },
        ),
      ],
    });
    expect(native.messages).toEqual([
      { role: "user", content: "go" },
      { role: "assistant", content: "answer", thinking: "first\n\nsecond" },
      { role: "tool", content: "failed", tool_call_id: "c9", tool_name: "f" },
    ]);
    expect(warnings).toEqual([
      "audio was dropped (Ollama does not accept it)",
      "redacted thinking was dropped (Ollama cannot read encrypted reasoning)",
      "a refusal in the conversation was dropped (Ollama has no refusal content)",
      "server tool calls and results were dropped (Ollama runs no hosted tools)",
      "images outside user messages were dropped (Ollama takes images in user messages only)",
      "documents were dropped (Ollama does not accept them)",
      "a tool result's error flag was dropped (Ollama has no error flag on tool results)",
    ]);
  });

  test("cache hints, wherever they are, are reported once; a participant's name is reported", () => {
    const { native, warnings } = translate({
      system: [{ type: "text", text: "be brief", cache: { ttl: "1h" } }],
      messages: [{ role: "user", name: "ada", content: [{ type: "text", text: "hi", cache: {} }] }],
      tools: [{ ...weatherTool, cache: {} }],
    });
    expect(native.messages).toEqual([
      { role: "system", content: "be brief" },
      { role: "user", content: "hi" },
    ]);
    expect(warnings).toEqual([
      "cache hints were dropped (Ollama takes no cache control)",
      "message 'name' was dropped (Ollama has no per-message name)",
    ]);
  });

  test("the dialect's notes come first, as they were phrased", () => {
    const notes = ["a content part of type input_video was dropped"];
    expect(translate({ notes, unmapped: ["logprobs"] }).warnings).toEqual([
      "a content part of type input_video was dropped",
      "'logprobs' was dropped (Ollama does not support it)",
    ]);
  });

  test("prefill becomes a final assistant message for the model to continue", () => {
    const { native } = translate({ stream: true }, "Once upon a");
    expect(native.stream).toBe(true);
    expect(native.messages.at(-1)).toEqual({ role: "assistant", content: "Once upon a" });
  });
});

describe("tools and tool_choice", () => {
  const tools: FunctionTool[] = [weatherTool, { name: "get_time", strict: true }];

  test("auto sends every tool; strict is dropped with a warning", () => {
    const { native, warnings } = translate({ tools, toolChoice: { type: "auto" } });
    expect(native.tools?.map((tool) => tool.function.name)).toEqual(["get_weather", "get_time"]);
    expect(native.tools?.[1]).toEqual({ type: "function", function: { name: "get_time" } });
    expect(warnings).toEqual(["tool 'strict' was dropped (Ollama does not enforce tool schemas)"]);
  });

  test("none sends no tools", () => {
    expect(translate({ tools, toolChoice: { type: "none" } }).native.tools).toBeUndefined();
  });

  test("required and a named tool cannot be forced: warned, the named one alone is offered", () => {
    expect(translate({ tools: [weatherTool], toolChoice: { type: "required" } }).warnings).toEqual([
      "tool_choice 'required' cannot be enforced by Ollama; the model may answer without a tool call",
    ]);
    const named = translate({ tools, toolChoice: { type: "tool", name: "get_weather" } });
    expect(named.native.tools).toEqual([ollamaWeatherTool]);
    expect(named.warnings).toEqual([
      "a named tool_choice cannot be enforced by Ollama; only that tool was offered",
    ]);
  });

  test("parallel tool calls cannot be limited; hosted tools are not run", () => {
    const { native, warnings } = translate({
      tools: [weatherTool],
      parallelToolCalls: false,
      hostedTools: [{ kind: "web_search", name: "web_search", config: {} }],
    });
    expect(native.tools).toEqual([ollamaWeatherTool]);
    expect(warnings).toEqual([
      "hosted tool 'web_search' was dropped (Ollama runs no hosted tools)",
      "parallel_tool_calls=false was dropped (Ollama cannot limit the number of tool calls)",
    ]);
  });

  test("tool_choice without tools is dropped with a warning, never silently", () => {
    expect(translate({ toolChoice: { type: "required" } }).warnings).toEqual([
      "tool_choice was dropped: the request has no tools",
    ]);
  });
});

describe("options, format and thinking", () => {
  test("sampling settings go into options (Modelfile parameters)", () => {
    const { native, warnings } = translate({
      temperature: 0.2,
      topP: 0.9,
      topK: 40,
      stop: ["\n\n"],
      maxOutputTokens: 50,
      seed: 42,
      presencePenalty: 0.5,
      frequencyPenalty: 0.25,
    });
    expect(native.options).toEqual({
      temperature: 0.2,
      top_p: 0.9,
      top_k: 40,
      stop: ["\n\n"],
      num_predict: 50,
      seed: 42,
      presence_penalty: 0.5,
      frequency_penalty: 0.25,
    });
    expect(warnings).toEqual([]);
  });

  test("no output budget is invented when the client gives none", () => {
    expect(translate().native.options).toBeUndefined();
  });

  test('output: json_object -> "json", json_schema -> the schema (or "json" without one), text -> nothing', () => {
    const schema = { type: "object", properties: { age: { type: "integer" } }, required: ["age"] };
    expect(translate({ output: { type: "json_object" } }).native.format).toBe("json");
    expect(translate({ output: { type: "json_schema", name: "a", schema } }).native.format).toEqual(schema);
    expect(translate({ output: { type: "json_schema", name: "a" } }).native.format).toBe("json");
    expect(translate({ output: { type: "text" } }).native.format).toBeUndefined();
  });

  const thinkCases: Array<[string, ReasoningOptions, OllamaChatRequest["think"]]> = [
    ["effort high", { effort: "high" }, "high"],
    ["effort minimal", { effort: "minimal" }, "low"],
    ["effort none", { effort: "none" }, false],
    ["disabled", { disabled: true }, false],
    ["adaptive", { adaptive: true }, true],
    ["nothing said", {}, undefined],
  ];
  for (const [label, reasoning, think] of thinkCases) {
    test(`reasoning ${label} -> think ${String(think)}`, () => {
      const { native, warnings } = translate({ reasoning });
      expect(native.think).toBe(think);
      expect(warnings).toEqual([]);
    });
  }

  test("what think cannot say is reported: an effort it has no level for, a budget, a summary", () => {
    const xhigh = translate({ reasoning: { effort: "xhigh" } });
    expect(xhigh.native).not.toHaveProperty("think");
    expect(xhigh.warnings).toEqual([
      "reasoning_effort 'xhigh' was dropped (Ollama takes low, medium or high)",
    ]);
    const budget = translate({ reasoning: { budgetTokens: 2048, summary: "auto" } });
    expect(budget.native.think).toBe(true);
    expect(budget.warnings).toEqual([
      "a reasoning summary was dropped (Ollama returns its thinking whole)",
      "a thinking budget of 2048 tokens was dropped (Ollama turns thinking on without one)",
    ]);
  });

  test("fields Ollama has no equivalent for are named in warnings, never dropped silently", () => {
    const { native, warnings } = translate({
      unmapped: ["logprobs", "store"],
      user: "u-1",
      metadata: { team: "a" },
      promptCacheKey: "k-1",
      choices: 2,
    });
    expect(native).toEqual({ model: "llama3.2", stream: false, messages: [{ role: "user", content: "hi" }] });
    expect(warnings).toEqual([
      "'logprobs' was dropped (Ollama does not support it)",
      "'store' was dropped (Ollama does not support it)",
      "'user' was dropped (Ollama does not support it)",
      "'metadata' was dropped (Ollama does not support it)",
      "'prompt_cache_key' was dropped (Ollama does not support it)",
      "n > 1 was dropped (Ollama returns one choice)",
    ]);
  });
});
