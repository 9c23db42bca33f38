// Our OpenAI-shaped requests -> Ollama /api/chat bodies (docs/api.md), including what is dropped with a warning.
import { describe, expect, test } from "bun:test";
import { type ChatRequest, chatRequestSchema } from "../../api/chat.ts";
import { toOllamaRequest } from "./request.ts";

const request = (body: Record<string, unknown>): ChatRequest =>
  chatRequestSchema.parse({ model: "ollama/llama3.2", messages: [{ role: "user", content: "hi" }], ...body });

const weatherTool = {
  type: "function" as const,
  function: {
    name: "get_weather",
    description: "Get the weather in a given city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
};

describe("messages", () => {
  test("system and developer become system; the upstream model name is used; stream is explicit", () => {
    const { native, warnings } = toOllamaRequest({
      request: request({
        messages: [
          { role: "system", content: "be brief" },
          { role: "developer", content: [{ type: "text", text: "use metric" }] },
          { role: "user", content: "hi" },
        ],
      }),
      model: "llama3.2",
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

  test("data: images become base64 without the prefix; http images are dropped with a warning", () => {
    const { native, warnings } = toOllamaRequest({
      request: request({
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "what is in" },
              { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
              { type: "text", text: "these?" },
              { type: "image_url", image_url: { url: "https://example.com/cat.png" } },
            ],
          },
        ],
      }),
      model: "llava",
    });
    expect(native.messages).toEqual([
      { role: "user", content: "what is in\nthese?", images: ["iVBORw0KGgo="] },
    ]);
    expect(warnings).toEqual([
      "image URLs other than base64 data: URLs were dropped (Ollama only accepts inline images)",
    ]);
  });

  test("a multi-turn tool conversation keeps calls and results paired, arguments as objects", () => {
    const { native, warnings } = toOllamaRequest({
      request: request({
        messages: [
          { role: "user", content: "weather in Toronto and Paris?" },
          {
            role: "assistant",
            content: null,
            reasoning_content: "Two cities, two calls.",
            tool_calls: [
              {
                id: "call_a",
                type: "function",
                function: { name: "get_weather", arguments: '{"city":"Toronto"}' },
              },
              {
                id: "call_b",
                type: "function",
                function: { name: "get_time", arguments: '{"city":"Paris"}' },
              },
            ],
          },
          { role: "tool", tool_call_id: "call_b", content: "14:00" },
          { role: "tool", tool_call_id: "call_a", content: [{ type: "text", text: "11 degrees celsius" }] },
          { role: "assistant", content: "Toronto is 11°C; it is 14:00 in Paris." },
          { role: "user", content: "thanks" },
        ],
        tools: [weatherTool],
      }),
      model: "llama3.2",
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
    expect(native.tools).toEqual([weatherTool]);
    expect(warnings).toEqual([]);
  });

  test("arguments that are not a JSON object are sent as {} with a warning; unknown result ids are reported", () => {
    const { native, warnings } = toOllamaRequest({
      request: request({
        messages: [
          { role: "user", content: "go" },
          {
            role: "assistant",
            content: "",
            tool_calls: [{ id: "c1", function: { name: "f", arguments: "not json" } }],
          },
          { role: "tool", tool_call_id: "other", content: "x" },
        ],
      }),
      model: "m",
    });
    expect(native.messages[1]?.tool_calls).toEqual([{ id: "c1", function: { name: "f", arguments: {} } }]);
    expect(native.messages[2]).toEqual({ role: "tool", content: "x", tool_call_id: "other" });
    expect(warnings).toEqual([
      "tool call 'f' had arguments that are not a JSON object; sent as {}",
      "a tool result did not match any earlier tool call id; sent without tool_name",
    ]);
  });

  test("non-text parts outside user messages are dropped with a warning", () => {
    const { native, warnings } = toOllamaRequest({
      request: request({
        messages: [
          {
            role: "system",
            content: [
              { type: "text", text: "look" },
              { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
            ],
          },
          { role: "user", content: "hi" },
        ],
      }),
      model: "m",
    });
    expect(native.messages[0]).toEqual({ role: "system", content: "look" });
    expect(warnings).toEqual(["content parts of type 'image_url' outside user messages were dropped"]);
  });

  test("prefill becomes a final assistant message for the model to continue", () => {
    const { native } = toOllamaRequest({
      request: request({ stream: true }),
      model: "llama3.2",
      prefill: "Once upon a",
    });
    expect(native.stream).toBe(true);
    expect(native.messages.at(-1)).toEqual({ role: "assistant", content: "Once upon a" });
  });
});

describe("tools and tool_choice", () => {
  const base = { tools: [weatherTool, { type: "function", function: { name: "get_time", strict: true } }] };

  test("auto sends every tool; strict is dropped with a warning", () => {
    const { native, warnings } = toOllamaRequest({
      request: request({ ...base, tool_choice: "auto" }),
      model: "m",
    });
    expect(native.tools?.map((tool) => tool.function.name)).toEqual(["get_weather", "get_time"]);
    expect(native.tools?.[1]).toEqual({ type: "function", function: { name: "get_time" } });
    expect(warnings).toEqual(["tool 'strict' was dropped (Ollama does not enforce tool schemas)"]);
  });

  test("none sends no tools", () => {
    expect(
      toOllamaRequest({ request: request({ ...base, tool_choice: "none" }), model: "m" }).native.tools,
    ).toBeUndefined();
  });

  test("required and a named function cannot be forced: warned, the named one alone is offered", () => {
    expect(
      toOllamaRequest({ request: request({ tools: [weatherTool], tool_choice: "required" }), model: "m" })
        .warnings,
    ).toEqual([
      "tool_choice 'required' cannot be enforced by Ollama; the model may answer without a tool call",
    ]);
    const named = toOllamaRequest({
      request: request({ ...base, tool_choice: { type: "function", function: { name: "get_weather" } } }),
      model: "m",
    });
    expect(named.native.tools).toEqual([weatherTool]);
    expect(named.warnings).toEqual([
      "a named tool_choice cannot be enforced by Ollama; only that tool was offered",
    ]);
  });
});

describe("options, format and thinking", () => {
  test("sampling fields go into options; max_completion_tokens wins over max_tokens", () => {
    const { native, warnings } = toOllamaRequest({
      request: request({
        temperature: 0.2,
        top_p: 0.9,
        stop: "\n\n",
        max_tokens: 10,
        max_completion_tokens: 50,
        seed: 42,
        presence_penalty: 0.5,
        frequency_penalty: 0.25,
      }),
      model: "m",
    });
    expect(native.options).toEqual({
      temperature: 0.2,
      top_p: 0.9,
      stop: ["\n\n"],
      num_predict: 50,
      seed: 42,
      presence_penalty: 0.5,
      frequency_penalty: 0.25,
    });
    expect(warnings).toEqual([]);
  });

  test("no output budget is invented when the client gives none", () => {
    expect(toOllamaRequest({ request: request({}), model: "m" }).native.options).toBeUndefined();
  });

  test('response_format: json_object -> "json", json_schema -> the schema, text -> nothing', () => {
    const schema = { type: "object", properties: { age: { type: "integer" } }, required: ["age"] };
    expect(
      toOllamaRequest({ request: request({ response_format: { type: "json_object" } }), model: "m" }).native
        .format,
    ).toBe("json");
    expect(
      toOllamaRequest({
        request: request({ response_format: { type: "json_schema", json_schema: { name: "a", schema } } }),
        model: "m",
      }).native.format,
    ).toEqual(schema);
    expect(
      toOllamaRequest({ request: request({ response_format: { type: "text" } }), model: "m" }).native.format,
    ).toBeUndefined();
  });

  test("reasoning_effort -> think", () => {
    expect(toOllamaRequest({ request: request({ reasoning_effort: "high" }), model: "m" }).native.think).toBe(
      "high",
    );
    expect(toOllamaRequest({ request: request({ reasoning_effort: "none" }), model: "m" }).native.think).toBe(
      false,
    );
    expect(toOllamaRequest({ request: request({}), model: "m" }).native.think).toBeUndefined();
  });

  test("fields Ollama cannot take are dropped with warnings", () => {
    const { native, warnings } = toOllamaRequest({
      request: request({
        n: 2,
        logprobs: true,
        user: "u-1",
        parallel_tool_calls: false,
        tools: [weatherTool],
      }),
      model: "m",
    });
    expect(native).not.toHaveProperty("n");
    expect(native).not.toHaveProperty("user");
    expect(warnings).toEqual([
      "parallel_tool_calls=false was dropped (Ollama cannot limit the number of tool calls)",
      "'logprobs' was dropped (Ollama does not support it)",
      "'user' was dropped (Ollama does not support it)",
      "n > 1 was dropped (Ollama returns one choice)",
    ]);
  });

  test("any field the translator does not read is named in a warning, never dropped silently", () => {
    const { native, warnings } = toOllamaRequest({
      request: request({ top_k: 40, prompt_cache_key: "k-1", store: false, verbosity: null }),
      model: "m",
    });
    expect(native).not.toHaveProperty("top_k");
    expect(native.options).toBeUndefined();
    expect(warnings).toEqual([
      "'prompt_cache_key' was dropped (Ollama does not support it)",
      "'top_k' was dropped (Ollama does not support it)",
    ]);
  });
});

test("tool_choice without tools is dropped with a warning, never silently", () => {
  const { warnings } = toOllamaRequest({
    request: request({ messages: [{ role: "user", content: "hi" }], tool_choice: "required" }),
    model: "llama3.2",
  });
  expect(warnings).toContain("tool_choice was dropped: the request has no tools");
});
