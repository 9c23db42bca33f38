// Canonical turns -> Anthropic messages: roles and merging, images, documents, cache hints, and an answer (thinking,
// server tool blocks, citations) sent back as the next turn.
import { describe, expect, test } from "bun:test";
import { fixtureJson } from "../testing.ts";
import { toCanonicalResponse } from "./response.ts";
import { assistant, fromChat, translateChat, translateTurns, user } from "./test-data.ts";
import { anthropicMessageSchema } from "./wire.ts";

describe("messages", () => {
  test("system text goes to system; user and assistant alternate", () => {
    const { native, warnings } = translateChat({
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
    const { native, warnings } = translateChat({
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
    const { native, warnings } = translateChat({
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
    const file = translateTurns([user({ type: "image", source: { type: "file", fileId: "file_011" } })]);
    expect(file.native.messages[0]?.content).toEqual([
      { type: "image", source: { type: "file", file_id: "file_011" } },
    ]);
  });

  test("documents: PDF bytes or URL, plain text decoded, file ids; other types dropped with a warning", () => {
    // Document blocks: https://docs.anthropic.com/en/docs/build-with-claude/pdf-support
    const { native, warnings } = translateTurns([
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
    const { native } = translateChat({
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
    const { native, warnings } = translateTurns(
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
    const { native, warnings } = translateTurns([user({ type: "text", text: "x", cache: { ttl: "24h" } })]);
    expect(native.messages[0]?.content).toEqual([
      { type: "text", text: "x", cache_control: { type: "ephemeral" } },
    ]);
    expect(warnings).toEqual([
      "a cache ttl of 24h is not supported by Anthropic; the default of 5m was used",
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
    const { native, warnings } = translateTurns([
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
    const { native, warnings } = translateTurns([
      user({ type: "text", text: "Tech news today?" }),
      assistant(...answer("messages-web-search.json").content),
      user({ type: "text", text: "More on the first one." }),
    ]);
    expect<unknown>(native.messages[1]?.content).toEqual(anthropicMessageSchema.parse(raw).content);
    expect(warnings).toEqual([]);
  });

  test("server tool blocks and citations another provider made are dropped with a warning", () => {
    const { native, warnings } = translateTurns([
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
