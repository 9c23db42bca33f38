// The canonical request -> an Anthropic Messages request: roles, merging, images, documents, tools, cache hints,
// the thinking round trip, server tool blocks, and a warning for each thing Anthropic cannot take.
import { describe, expect, test } from "bun:test";
import { chatRequestSchema } from "../../api/chat.ts";
import { chatToCanonical } from "../../api/openai-chat/to-canonical.ts";
import type { ContentBlock, Message } from "../../canonical/content.ts";
import { type CanonicalRequest, emptyRequest } from "../../canonical/request.ts";
import { fixtureJson } from "../testing.ts";
import { acceptsAdaptiveThinking } from "./reasoning.ts";
import { prefillTrailingWhitespace, toAnthropicRequest } from "./request.ts";
import { toCanonicalResponse } from "./response.ts";
import { anthropicMessageSchema } from "./wire.ts";

/** What an OpenAI Chat client's request becomes (src/api/openai-chat), as the adapter receives it. */
function fromChat(fields: Record<string, unknown>): CanonicalRequest {
  return chatToCanonical(chatRequestSchema.parse({ model: "claude/sonnet", max_tokens: 100, ...fields }));
}

interface Extra {
  configuredMaxTokens?: number;
  prefill?: string;
  model?: string;
}

function translate(fields: Record<string, unknown>, extra: Extra = {}) {
  return toAnthropicRequest({ request: fromChat(fields), model: "claude-sonnet-4-5", ...extra });
}

/** A canonical request of the given turns (what no OpenAI Chat request can say: cache hints, documents...). */
function canonical(messages: Message[], fields: Partial<CanonicalRequest> = {}) {
  const request: CanonicalRequest = { ...emptyRequest(messages), maxOutputTokens: 100, ...fields };
  return toAnthropicRequest({ request, model: "claude-sonnet-4-5" });
}

const user = (...content: ContentBlock[]): Message => ({ role: "user", content });
const assistant = (...content: ContentBlock[]): Message => ({ role: "assistant", content });

const WEATHER_TOOL = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Weather for a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
};

describe("messages", () => {
  test("system text goes to system; user and assistant alternate", () => {
    const { native, warnings } = translate({
      messages: [
        { role: "system", content: "Be brief." },
        { role: "developer", content: [{ type: "text", text: "Answer in English." }] },
        { role: "user", content: "Hi" },
        { role: "assistant", content: "Hello!" },
        { role: "user", content: "How are you?" },
      ],
    });
    expect(native.model).toBe("claude-sonnet-4-5");
    expect(native.system).toEqual([
      { type: "text", text: "Be brief." },
      { type: "text", text: "Answer in English." },
    ]);
    expect(native.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "Hi" }] },
      { role: "assistant", content: [{ type: "text", text: "Hello!" }] },
      { role: "user", content: [{ type: "text", text: "How are you?" }] },
    ]);
    expect(warnings).toEqual([]);
  });

  test("consecutive same-role turns are merged; the dialect's notes are warnings as they are", () => {
    const { native, warnings } = translate({
      messages: [
        { role: "user", content: "one" },
        { role: "user", content: "two" },
        { role: "system", content: "late" },
        { role: "user", content: "three" },
      ],
    });
    expect(native.system).toEqual([{ type: "text", text: "late" }]);
    expect(native.messages).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "one" },
          { type: "text", text: "two" },
          { type: "text", text: "three" },
        ],
      },
    ]);
    expect(warnings).toEqual(
      fromChat({
        messages: [
          { role: "user", content: "a" },
          { role: "system", content: "b" },
        ],
      }).notes,
    );
    expect(warnings).toEqual(["a system message inside the conversation was moved to the system prompt"]);
  });

  test("images: base64 sources, http URLs, file ids; other types and URLs are dropped with a warning", () => {
    const { native, warnings } = translate({
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is this?" },
            { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
            { type: "image_url", image_url: { url: "https://example.com/cat.jpg", detail: "high" } },
            { type: "image_url", image_url: { url: "data:image/bmp;base64,Qk0=" } },
            { type: "image_url", image_url: { url: "data:image/png,raw" } },
            { type: "input_audio", input_audio: { data: "", format: "wav" } },
          ],
        },
      ],
    });
    expect(native.messages[0]?.content).toEqual([
      { type: "text", text: "What is this?" },
      { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } },
      { type: "image", source: { type: "url", url: "https://example.com/cat.jpg" } },
    ]);
    expect(warnings).toEqual([
      "an image of type image/bmp was dropped: Anthropic takes jpeg, png, gif and webp",
      "an image data: URL that is not base64 was dropped",
      "audio input is not supported by Anthropic and was dropped",
    ]);
    const file = canonical([user({ type: "image", source: { type: "file", fileId: "file_011" } })]);
    expect(file.native.messages[0]?.content).toEqual([
      { type: "image", source: { type: "file", file_id: "file_011" } },
    ]);
  });

  test("documents: PDF bytes or URL, plain text decoded, file ids; other types dropped with a warning", () => {
    // Document blocks: https://docs.anthropic.com/en/docs/build-with-claude/pdf-support
    const { native, warnings } = canonical([
      user(
        {
          type: "document",
          source: { type: "base64", mediaType: "application/pdf", data: "JVBERi0=" },
          filename: "a.pdf",
        },
        { type: "document", source: { type: "url", url: "https://example.com/b.pdf" }, title: "B" },
        { type: "document", source: { type: "base64", mediaType: "text/plain", data: btoa("plain words") } },
        { type: "document", source: { type: "file", fileId: "file_012" } },
        { type: "document", source: { type: "base64", mediaType: "application/msword", data: "0M8R" } },
        { type: "text", text: "Summarize them." },
      ),
    ]);
    expect(native.messages[0]?.content).toEqual([
      {
        type: "document",
        source: { type: "base64", media_type: "application/pdf", data: "JVBERi0=" },
        title: "a.pdf",
      },
      { type: "document", source: { type: "url", url: "https://example.com/b.pdf" }, title: "B" },
      { type: "document", source: { type: "text", media_type: "text/plain", data: "plain words" } },
      { type: "document", source: { type: "file", file_id: "file_012" } },
      { type: "text", text: "Summarize them." },
    ]);
    expect(warnings).toEqual([
      "a document of type application/msword was dropped: Anthropic takes PDF and plain text",
    ]);
  });

  test("an OpenAI file part reaches Anthropic as a document", () => {
    const { native } = translate({
      messages: [
        {
          role: "user",
          content: [
            { type: "file", file: { file_data: "data:application/pdf;base64,JVBERi0=", filename: "r.pdf" } },
          ],
        },
      ],
    });
    expect(native.messages[0]?.content).toEqual([
      {
        type: "document",
        source: { type: "base64", media_type: "application/pdf", data: "JVBERi0=" },
        title: "r.pdf",
      },
    ]);
  });
});

describe("cache hints", () => {
  test("cache_control on system text, message blocks, tool results and tools", () => {
    // https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching
    const { native, warnings } = canonical(
      [
        user({ type: "text", text: "A long document.", cache: {} }, { type: "text", text: "Question?" }),
        assistant({ type: "tool_call", id: "toolu_1", name: "look", arguments: "{}" }),
        user({
          type: "tool_result",
          callId: "toolu_1",
          content: [{ type: "text", text: "found" }],
          cache: { ttl: "1h" },
        }),
      ],
      {
        system: [{ type: "text", text: "You are terse.", cache: { ttl: "1h" } }],
        tools: [{ name: "look", parameters: { type: "object" }, cache: {} }],
      },
    );
    expect(native.system).toEqual([
      { type: "text", text: "You are terse.", cache_control: { type: "ephemeral", ttl: "1h" } },
    ]);
    expect(native.messages[0]?.content[0]).toEqual({
      type: "text",
      text: "A long document.",
      cache_control: { type: "ephemeral" },
    });
    expect(native.messages[2]?.content).toEqual([
      {
        type: "tool_result",
        tool_use_id: "toolu_1",
        content: "found",
        cache_control: { type: "ephemeral", ttl: "1h" },
      },
    ]);
    expect(native.tools).toEqual([
      { name: "look", input_schema: { type: "object" }, cache_control: { type: "ephemeral" } },
    ]);
    expect(warnings).toEqual([]);
  });

  test("a ttl Anthropic does not have is sent as the default, with a warning", () => {
    const { native, warnings } = canonical([user({ type: "text", text: "x", cache: { ttl: "24h" } })]);
    expect(native.messages[0]?.content).toEqual([
      { type: "text", text: "x", cache_control: { type: "ephemeral" } },
    ]);
    expect(warnings).toEqual([
      "a cache ttl of 24h is not supported by Anthropic; the default of 5m was used",
    ]);
  });
});

describe("tools", () => {
  test("a multi-turn tool conversation keeps call ids paired and merges tool results into one user turn", () => {
    const { native, warnings } = translate({
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
    const { native } = canonical([
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
      translate({
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
    const bare = translate({
      messages: [{ role: "user", content: "x" }],
      tools: [{ type: "function", function: { name: "ping", strict: true } }],
    });
    expect(bare.native.tools).toEqual([{ name: "ping", input_schema: { type: "object" }, strict: true }]);
    const orphan = translate({ messages: [{ role: "user", content: "x" }], tool_choice: "required" });
    expect(orphan.native.tool_choice).toBeUndefined();
    expect(orphan.warnings).toEqual(["tool_choice was dropped: the request has no tools"]);
  });

  test("tool arguments that are not a JSON object are sent as {} with a warning", () => {
    const { native, warnings } = translate({
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
    const { native, warnings } = canonical([user({ type: "text", text: "News?" })], {
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

describe("an answer sent back as the next turn", () => {
  const answer = (name: string) =>
    toCanonicalResponse(anthropicMessageSchema.parse(fixtureJson("anthropic", name)), {
      clock: () => 0,
      newId: (prefix) => `${prefix}1`,
    });

  test("recorded thinking comes back as the signed thinking block, ahead of text and tool calls", () => {
    const raw = fixtureJson("anthropic", "messages-thinking.json");
    const recorded = anthropicMessageSchema.parse(raw).content;
    const { native, warnings } = canonical([
      user({ type: "text", text: "How do I cross the street?" }),
      assistant(...answer("messages-thinking.json").content, {
        type: "tool_call",
        id: "toolu_1",
        name: "lookup",
        arguments: "{}",
      }),
      user({ type: "tool_result", callId: "toolu_1", content: [{ type: "text", text: "ok" }] }),
    ]);
    const blocks = native.messages[1]?.content ?? [];
    expect(blocks[0]).toEqual({
      type: "thinking",
      thinking: recorded[0]?.thinking ?? "",
      signature: recorded[0]?.signature ?? "",
    });
    expect(blocks.map((block) => block.type)).toEqual(["thinking", "text", "tool_use"]);
    expect(warnings).toEqual([]);
  });

  test("recorded web searches come back as the recorded blocks: server tool calls, results, cited text", () => {
    const raw = fixtureJson("anthropic", "messages-web-search.json");
    const { native, warnings } = canonical([
      user({ type: "text", text: "Tech news today?" }),
      assistant(...answer("messages-web-search.json").content),
      user({ type: "text", text: "More on the first one." }),
    ]);
    expect<unknown>(native.messages[1]?.content).toEqual(anthropicMessageSchema.parse(raw).content);
    expect(warnings).toEqual([]);
  });

  test("server tool blocks and citations another provider made are dropped with a warning", () => {
    const { native, warnings } = canonical([
      user({ type: "text", text: "News?" }),
      assistant(
        { type: "server_tool_call", id: "ws_123", name: "web_search", input: { query: "news" } },
        { type: "server_tool_result", callId: "ws_123", resultType: "web_search_call", content: [] },
        { type: "text", text: "Here.", citations: [{ type: "url_citation", url: "https://example.com" }] },
      ),
    ]);
    expect(native.messages[1]?.content).toEqual([{ type: "text", text: "Here." }]);
    expect(warnings).toEqual([
      "a web_search server tool call not made by Anthropic was dropped",
      "a web_search_call server tool result not made by Anthropic was dropped",
      "citations not made by Anthropic were dropped",
    ]);
  });
});

describe("thinking", () => {
  test("redacted blocks come back as redacted_thinking; another family's or unsigned thinking is reported", () => {
    const { native, warnings } = translate({
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
    const effort = translate(
      { messages: [{ role: "user", content: "x" }], reasoning_effort: "minimal" },
      adaptive,
    ).native;
    expect(effort.thinking).toEqual({ type: "adaptive" });
    expect(effort.output_config).toEqual({ effort: "low" });
    const none = translate(
      { messages: [{ role: "user", content: "x" }], reasoning_effort: "none" },
      adaptive,
    ).native;
    expect(none.thinking).toEqual({ type: "disabled" });
    const native = translate(
      { messages: [{ role: "user", content: "x" }], thinking: { type: "enabled", budget_tokens: 2048 } },
      adaptive,
    ).native;
    expect(native.thinking).toEqual({ type: "enabled", budget_tokens: 2048 });
  });

  test("explicit settings: adaptive, disabled, a budget; an invalid budget or a summary length is reported", () => {
    const messages = [user({ type: "text", text: "x" })];
    expect(canonical(messages, { reasoning: { adaptive: true } }).native.thinking).toEqual({
      type: "adaptive",
    });
    expect(canonical(messages, { reasoning: { disabled: true } }).native.thinking).toEqual({
      type: "disabled",
    });
    expect(canonical(messages, { reasoning: { budgetTokens: 3000 } }).native.thinking).toEqual({
      type: "enabled",
      budget_tokens: 3000,
    });
    const invalid = canonical(messages, { reasoning: { budgetTokens: -5, summary: "detailed" } });
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
    const budget = (fields: Record<string, unknown>) => translate({ messages, ...fields });
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
    const { native, warnings } = translate({
      messages: [{ role: "user", content: "x" }],
      max_completion_tokens: 7,
    });
    expect(native.max_tokens).toBe(7);
    expect(warnings).toEqual([]);
  });

  test("without max_tokens the configured default, else 4096, is used and said so", () => {
    const fields = { messages: [{ role: "user", content: "x" }], max_tokens: undefined };
    const configured = translate(fields, { configuredMaxTokens: 8192 });
    expect(configured.native.max_tokens).toBe(8192);
    expect(configured.warnings).toEqual([
      "max_tokens was not set; used the configured default of 8192 for claude-sonnet-4-5",
    ]);
    const fallback = translate(fields);
    expect(fallback.native.max_tokens).toBe(4096);
    expect(fallback.warnings).toEqual(["max_tokens was not set; used the default of 4096"]);
  });

  test("stop, user, response_format json_schema", () => {
    const schema = {
      type: "object",
      properties: { answer: { type: "string" } },
      additionalProperties: false,
    };
    const { native, warnings } = translate({
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
    const { native, warnings } = translate({
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
    const { native } = translate({ messages: [{ role: "user", content: "Count" }] }, { prefill: "1, 2, " });
    expect(native.messages.at(-1)).toEqual({ role: "assistant", content: [{ type: "text", text: "1, 2," }] });
    expect(prefillTrailingWhitespace("1, 2, ")).toBe(" ");
    const merged = translate(
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
