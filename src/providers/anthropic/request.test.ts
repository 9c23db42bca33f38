// The canonical request -> an Anthropic Messages request: tools, thinking and parameters, and a warning for each
// thing Anthropic cannot take (messages and content blocks: messages.test.ts).
import { describe, expect, test } from "bun:test";
import { acceptsAdaptiveThinking } from "./reasoning.ts";
import { prefillTrailingWhitespace } from "./request.ts";
import { assistant, translateChat, translateTurns, user } from "./test-data.ts";

const WEATHER_TOOL = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Weather for a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
};

describe("tools", () => {
  test("a multi-turn tool conversation keeps call ids paired and merges tool results into one user turn", () => {
    const { native, warnings } = translateChat({
      tools: [WEATHER_TOOL],
      messages: [
        { role: "user", content: "Weather in Paris and Rome?" },
        {
          role: "assistant",
          content: "Let me check.",
          tool_calls: [
            {
              id: "call_1",
              type: "function",
              function: { name: "get_weather", arguments: '{"city":"Paris"}' },
            },
            {
              id: "functions.get_weather:2",
              type: "function",
              function: { name: "get_weather", arguments: "" },
            },
          ],
        },
        { role: "tool", tool_call_id: "call_1", content: "18C" },
        { role: "tool", tool_call_id: "functions.get_weather:2", content: [{ type: "text", text: "21C" }] },
        { role: "user", content: "Thanks, and tomorrow?" },
      ],
    });
    expect(native.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "Weather in Paris and Rome?" }] },
      {
        role: "assistant",
        content: [
          { type: "text", text: "Let me check." },
          { type: "tool_use", id: "call_1", name: "get_weather", input: { city: "Paris" } },
          { type: "tool_use", id: "functions_get_weather_2", name: "get_weather", input: {} },
        ],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "call_1", content: "18C" },
          // One text part is the string form, which Anthropic reads the same.
          { type: "tool_result", tool_use_id: "functions_get_weather_2", content: "21C" },
          { type: "text", text: "Thanks, and tomorrow?" },
        ],
      },
    ]);
    expect(native.tools).toEqual([
      {
        name: "get_weather",
        description: "Weather for a city",
        input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
      },
    ]);
    expect(native.tool_choice).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  test("a tool result with several parts, an image or an error flag keeps its blocks", () => {
    const { native } = translateTurns([
      assistant({ type: "tool_call", id: "toolu_2", name: "shot", arguments: "{}" }),
      user({
        type: "tool_result",
        callId: "toolu_2",
        isError: true,
        content: [
          { type: "text", text: "partial" },
          { type: "image", source: { type: "base64", mediaType: "image/png", data: "iVBORw0KGgo=" } },
        ],
      }),
    ]);
    expect(native.messages[1]?.content).toEqual([
      {
        type: "tool_result",
        tool_use_id: "toolu_2",
        is_error: true,
        content: [
          { type: "text", text: "partial" },
          { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } },
        ],
      },
    ]);
  });

  test("tool_choice auto / none / required / named, and parallel_tool_calls false", () => {
    const choice = (tool_choice: unknown, parallel?: boolean) =>
      translateChat({
        messages: [{ role: "user", content: "x" }],
        tools: [WEATHER_TOOL],
        tool_choice,
        parallel_tool_calls: parallel,
      }).native.tool_choice;
    expect(choice("auto")).toEqual({ type: "auto" });
    expect(choice("none")).toEqual({ type: "none" });
    expect(choice("required")).toEqual({ type: "any" });
    expect(choice({ type: "function", function: { name: "get_weather" } })).toEqual({
      type: "tool",
      name: "get_weather",
    });
    expect(choice("required", false)).toEqual({ type: "any", disable_parallel_tool_use: true });
    expect(choice(undefined, false)).toEqual({ type: "auto", disable_parallel_tool_use: true });
  });

  test("a tool without parameters gets an empty object schema; tool_choice without tools is dropped", () => {
    const bare = translateChat({
      messages: [{ role: "user", content: "x" }],
      tools: [{ type: "function", function: { name: "ping", strict: true } }],
    });
    expect(bare.native.tools).toEqual([{ name: "ping", input_schema: { type: "object" }, strict: true }]);
    const orphan = translateChat({ messages: [{ role: "user", content: "x" }], tool_choice: "required" });
    expect(orphan.native.tool_choice).toBeUndefined();
    expect(orphan.warnings).toEqual(["tool_choice was dropped: the request has no tools"]);
  });

  test("tool arguments that are not a JSON object are sent as {} with a warning", () => {
    const { native, warnings } = translateChat({
      messages: [
        { role: "user", content: "x" },
        {
          role: "assistant",
          tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: "{oops" } }],
        },
        { role: "tool", tool_call_id: "c", content: "" },
      ],
    });
    expect(native.messages[1]?.content).toEqual([{ type: "tool_use", id: "c", name: "f", input: {} }]);
    expect(native.messages[2]?.content).toEqual([{ type: "tool_result", tool_use_id: "c" }]);
    expect(warnings).toEqual(["the arguments of a f tool call were not a JSON object and were sent as {}"]);
  });

  test("a hosted tool in Anthropic's own terms is sent as it is; another family's is dropped with a warning", () => {
    // The web search tool's definition: https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/web-search-tool
    const { native, warnings } = translateTurns([user({ type: "text", text: "News?" })], {
      hostedTools: [
        { kind: "web_search", name: "web_search", config: { type: "web_search_20250305", max_uses: 5 } },
        { kind: "web_search", name: "web_search_preview", config: { type: "web_search_preview" } },
      ],
    });
    expect(native.tools).toEqual([{ type: "web_search_20250305", name: "web_search", max_uses: 5 }]);
    expect(warnings).toEqual([
      "the hosted tool web_search_preview is not supported by Anthropic and was dropped",
    ]);
  });
});

describe("thinking", () => {
  test("redacted blocks come back as redacted_thinking; another family's or unsigned thinking is reported", () => {
    const { native, warnings } = translateChat({
      messages: [
        { role: "user", content: "x" },
        {
          role: "assistant",
          content: "answer",
          reasoning_content: "visible",
          reasoning_details: [
            { type: "reasoning.encrypted", data: "opaque", format: "anthropic-claude-v1", index: 1 },
            { type: "reasoning.text", text: "t", signature: "sig", index: 0 },
            { type: "reasoning.text", text: "gemini", signature: "s", format: "google-gemini-v1" },
          ],
        },
        { role: "user", content: "y" },
        { role: "assistant", content: "plain", reasoning_content: "no signature" },
      ],
    });
    expect(native.messages[1]?.content).toEqual([
      { type: "thinking", thinking: "t", signature: "sig" },
      { type: "redacted_thinking", data: "opaque" },
      { type: "text", text: "answer" },
    ]);
    expect(native.messages[3]?.content).toEqual([{ type: "text", text: "plain" }]);
    expect(warnings).toEqual([
      "thinking blocks not produced by Anthropic were dropped",
      "thinking without a signature cannot be sent back to Anthropic and was dropped",
    ]);
  });

  test("reasoning_effort on a model with adaptive thinking: adaptive at that effort; thinking passes through", () => {
    const adaptive = { model: "claude-opus-4-6" };
    const effort = translateChat(
      { messages: [{ role: "user", content: "x" }], reasoning_effort: "minimal" },
      adaptive,
    ).native;
    expect(effort.thinking).toEqual({ type: "adaptive" });
    expect(effort.output_config).toEqual({ effort: "low" });
    const none = translateChat(
      { messages: [{ role: "user", content: "x" }], reasoning_effort: "none" },
      adaptive,
    ).native;
    expect(none.thinking).toEqual({ type: "disabled" });
    const native = translateChat(
      { messages: [{ role: "user", content: "x" }], thinking: { type: "enabled", budget_tokens: 2048 } },
      adaptive,
    ).native;
    expect(native.thinking).toEqual({ type: "enabled", budget_tokens: 2048 });
  });

  test("explicit settings: adaptive, disabled, a budget; an invalid budget or a summary length is reported", () => {
    const messages = [user({ type: "text", text: "x" })];
    expect(translateTurns(messages, { reasoning: { adaptive: true } }).native.thinking).toEqual({
      type: "adaptive",
    });
    expect(translateTurns(messages, { reasoning: { disabled: true } }).native.thinking).toEqual({
      type: "disabled",
    });
    expect(translateTurns(messages, { reasoning: { budgetTokens: 3000 } }).native.thinking).toEqual({
      type: "enabled",
      budget_tokens: 3000,
    });
    const invalid = translateTurns(messages, { reasoning: { budgetTokens: -5, summary: "detailed" } });
    expect(invalid.native.thinking).toBeUndefined();
    expect(invalid.warnings).toEqual([
      "thinking was dropped: it is not a valid Anthropic thinking configuration",
      "reasoning summary detailed is not supported by Anthropic and was dropped",
    ]);
  });

  test("models from 4.6 on (and the SDK's list) take adaptive thinking; older ones and unknown names do not", () => {
    for (const model of [
      "claude-opus-4-6",
      "claude-sonnet-4-6",
      "claude-opus-4-7",
      "claude-sonnet-5",
      "claude-fable-5-2",
      "claude-mythos-preview",
      "anthropic.claude-opus-4-6-v1",
    ]) {
      expect({ model, adaptive: acceptsAdaptiveThinking(model) }).toEqual({ model, adaptive: true });
    }
    for (const model of [
      "claude-sonnet-4-5",
      "claude-haiku-4-5-20251001",
      "claude-opus-4-1-20250805",
      "claude-sonnet-4-20250514",
      "claude-3-7-sonnet-20250219",
      "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
      "my-alias",
    ]) {
      expect({ model, adaptive: acceptsAdaptiveThinking(model) }).toEqual({ model, adaptive: false });
    }
  });

  test("reasoning_effort on an older model: enabled with a budget from the effort, below max_tokens", () => {
    const messages = [{ role: "user", content: "x" }];
    const budget = (fields: Record<string, unknown>) => translateChat({ messages, ...fields });
    for (const [effort, tokens] of [
      ["minimal", 1024],
      ["low", 1024],
      ["medium", 8192],
      ["high", 24576],
    ] as const) {
      const { native, warnings } = budget({ reasoning_effort: effort, max_tokens: 32000 });
      expect(native.thinking).toEqual({ type: "enabled", budget_tokens: tokens });
      // The budget is the effort: no output_config.effort, which these models (but Opus 4.5) reject.
      expect(native.output_config).toBeUndefined();
      expect(warnings).toEqual([]);
    }
    const capped = budget({ reasoning_effort: "high", max_tokens: 2000 });
    expect(capped.native.thinking).toEqual({ type: "enabled", budget_tokens: 1999 });
    expect(capped.warnings).toEqual([
      "reasoning_effort high: the thinking budget was lowered to 1999 to stay below max_tokens",
    ]);
    const tooSmall = budget({ reasoning_effort: "low", max_tokens: 1024 });
    expect(tooSmall.native.thinking).toBeUndefined();
    expect(tooSmall.warnings).toEqual([
      "reasoning_effort low was dropped: thinking needs max_tokens above 1024 on claude-sonnet-4-5",
    ]);
    const explicit = budget({
      reasoning_effort: "high",
      max_tokens: 32000,
      thinking: { type: "enabled", budget_tokens: 4096 },
    });
    expect(explicit.native.thinking).toEqual({ type: "enabled", budget_tokens: 4096 });
    expect(explicit.warnings).toHaveLength(1);
  });
});

describe("parameters", () => {
  test("max_completion_tokens wins over max_tokens", () => {
    const { native, warnings } = translateChat({
      messages: [{ role: "user", content: "x" }],
      max_completion_tokens: 7,
    });
    expect(native.max_tokens).toBe(7);
    expect(warnings).toEqual([]);
  });

  test("without max_tokens the configured default, else 4096, is used and said so", () => {
    const fields = { messages: [{ role: "user", content: "x" }], max_tokens: undefined };
    const configured = translateChat(fields, { configuredMaxTokens: 8192 });
    expect(configured.native.max_tokens).toBe(8192);
    expect(configured.warnings).toEqual([
      "max_tokens was not set; used the configured default of 8192 for claude-sonnet-4-5",
    ]);
    const fallback = translateChat(fields);
    expect(fallback.native.max_tokens).toBe(4096);
    expect(fallback.warnings).toEqual(["max_tokens was not set; used the default of 4096"]);
  });

  test("stop, user, response_format json_schema", () => {
    const schema = {
      type: "object",
      properties: { answer: { type: "string" } },
      additionalProperties: false,
    };
    const { native, warnings } = translateChat({
      messages: [{ role: "user", content: "x" }],
      stop: "END",
      user: "user-123",
      response_format: { type: "json_schema", json_schema: { name: "a", schema, strict: true } },
      stream_options: { include_usage: true },
    });
    expect(native.stop_sequences).toEqual(["END"]);
    expect(native.metadata).toEqual({ user_id: "user-123" });
    expect(native.output_config).toEqual({ format: { type: "json_schema", schema } });
    expect(warnings).toEqual([]);
  });

  test("fields Anthropic cannot take are dropped with a warning each, unmapped ones by the client's name", () => {
    const { native, warnings } = translateChat({
      messages: [{ role: "user", content: "x", name: "bob" }],
      temperature: 0.2,
      top_p: 0.9,
      top_k: 5,
      n: 2,
      seed: 4,
      presence_penalty: 0.5,
      frequency_penalty: 0.1,
      metadata: { run: "7" },
      prompt_cache_key: "k",
      logprobs: false,
      logit_bias: { "50256": -100 },
      response_format: { type: "json_object" },
    });
    expect(Object.keys(native).sort()).toEqual(["max_tokens", "messages", "model"]);
    expect(warnings.sort()).toEqual(
      [
        "frequency_penalty is not supported by Anthropic and was dropped",
        "logit_bias is not supported by Anthropic and was dropped",
        "message name fields are not supported by Anthropic and were dropped",
        "metadata is not supported by Anthropic and was dropped",
        "n > 1 is not supported by Anthropic; one choice was returned",
        "presence_penalty is not supported by Anthropic and was dropped",
        "prompt_cache_key is not supported by Anthropic and was dropped",
        "response_format json_object has no Anthropic equivalent and was not enforced",
        "seed is not supported by Anthropic and was dropped",
        "temperature is deprecated by Anthropic and was not sent",
        "top_k is not supported by Anthropic and was dropped",
        "top_p is deprecated by Anthropic and was not sent",
      ].sort(),
    );
  });

  test("a prefill is appended as a trimmed final assistant turn", () => {
    const { native } = translateChat(
      { messages: [{ role: "user", content: "Count" }] },
      { prefill: "1, 2, " },
    );
    expect(native.messages.at(-1)).toEqual({ role: "assistant", content: [{ type: "text", text: "1, 2," }] });
    expect(prefillTrailingWhitespace("1, 2, ")).toBe(" ");
    const merged = translateChat(
      {
        messages: [
          { role: "user", content: "Count" },
          { role: "assistant", content: "1," },
        ],
      },
      { prefill: " 2" },
    );
    expect(merged.native.messages.at(-1)?.content).toEqual([
      { type: "text", text: "1," },
      { type: "text", text: " 2" },
    ]);
  });
});
