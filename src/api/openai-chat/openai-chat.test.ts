// The OpenAI Chat dialect to and from the canonical model, checked against recorded OpenAI traffic: what comes in
// as chunks or a completion and goes back out through a rendering says the same as the recording.
import { describe, expect, test } from "bun:test";
import { fixture } from "../../../test/helpers/mock-upstream.ts";
import { collectResponse, type StreamEvent } from "../../canonical/stream.ts";
import type { ChatCompletion, ChatCompletionChunk, ChatRequest } from "../chat.ts";
import { createChunkEvents } from "./chunk-events.ts";
import { canonicalResponseOf } from "./completion-response.ts";
import { renderCompletion } from "./render.ts";
import { createChatStreamRenderer } from "./render-stream.ts";
import { chatToCanonical } from "./to-canonical.ts";
import { chatRequestOf } from "./to-chat-request.ts";

const newId = (prefix: string) => `${prefix}minted`;

function chunksOf(name: string): ChatCompletionChunk[] {
  const text = fixture("openai", name);
  const lines = name.endsWith(".jsonl")
    ? text.split("\n").filter((line) => line.trim() !== "")
    : text
        .split(/\r?\n/)
        .filter((line) => line.startsWith("data:"))
        .map((line) => line.slice(5).trim())
        .filter((data) => data !== "[DONE]");
  return lines.map((line) => JSON.parse(line) as ChatCompletionChunk);
}

/** What a client reads out of a chunk sequence: text, reasoning, tool calls, finish reason, usage. */
function meaningOf(chunks: ChatCompletionChunk[]) {
  let content = "";
  let finish: string | null = null;
  let usage: unknown;
  const calls = new Map<number, { id?: string; name?: string; arguments: string }>();
  for (const chunk of chunks) {
    if (chunk.usage) usage = chunk.usage;
    for (const choice of chunk.choices) {
      if (choice.index !== 0) continue;
      content += choice.delta?.content ?? "";
      finish = choice.finish_reason ?? finish;
      for (const call of choice.delta?.tool_calls ?? []) {
        const entry = calls.get(call.index) ?? { arguments: "" };
        if (call.id) entry.id = call.id;
        if (call.function?.name) entry.name = call.function.name;
        entry.arguments += call.function?.arguments ?? "";
        calls.set(call.index, entry);
      }
    }
  }
  return { content, finish, usage: usageMeaning(usage), calls: [...calls.values()] };
}

/** The usage fields the canonical model carries (audio and prediction tokens travel only in the raw bytes). */
function usageMeaning(usage: unknown) {
  if (!usage) return undefined;
  const value = usage as ChatCompletionChunk["usage"] & object;
  return {
    prompt: value.prompt_tokens,
    completion: value.completion_tokens,
    total: value.total_tokens,
    cached: value.prompt_tokens_details?.cached_tokens,
    reasoning: value.completion_tokens_details?.reasoning_tokens,
  };
}

const STREAMS = [
  "chat-completions-stream-include-usage.sse",
  "chat-completions-stream-include-usage-httprr.sse",
  "chat-completions-stream-tool-call.sse",
  "chat-completions-stream-after-tool-result.sse",
  "chat-completions-text-stream.chunks.jsonl",
];

/** A framed SSE event's data. */
function dataOf(event: string): string {
  expect(event).toStartWith("data: ");
  expect(event).toEndWith("\n\n");
  return event.slice("data: ".length, -2);
}

describe("stream: recorded chunks -> canonical events -> rendered chunks", () => {
  for (const name of STREAMS) {
    test(name, () => {
      const chunks = chunksOf(name);
      const reader = createChunkEvents();
      const events: StreamEvent[] = chunks.flatMap((chunk) => reader.read(chunk));
      expect(reader.complete).toBe(true);
      expect(events.filter((event) => event.type === "finish")).toHaveLength(1);
      const renderer = createChatStreamRenderer({ includeUsage: true, newId });
      const rendered = [...renderer.render({ events }), ...renderer.end()].map(
        (text) => JSON.parse(dataOf(text)) as ChatCompletionChunk,
      );
      const original = meaningOf(chunks);
      expect(meaningOf(rendered)).toEqual(original);
      expect(rendered[0]?.id).toBe(chunks[0]?.id as string);
      // The assembled answer says the same.
      const whole = collectResponse(events);
      const text = whole.content.flatMap((block) => (block.type === "text" ? [block.text] : [])).join("");
      expect(text).toBe(original.content);
    });
  }

  test("a frame with the upstream's bytes is forwarded as it came", () => {
    const renderer = createChatStreamRenderer({ includeUsage: true, newId });
    const raw = '{"id":"chatcmpl-x","object":"chat.completion.chunk","created":1,"model":"m","choices":[]}';
    expect(renderer.render({ events: [], raw: { dialect: "openai-chat", data: raw } })).toEqual([
      `data: ${raw}\n\n`,
    ]);
    expect(renderer.render({ events: [], raw: { dialect: "anthropic-messages", data: "{}" } })).toEqual([]);
    // A multi-line data field reaches us joined with "\n"; forwarded as is it would break the client's framing.
    const multiline = '{"id":"c1",\n"choices":[]}';
    expect(renderer.render({ events: [], raw: { dialect: "openai-chat", data: multiline } })).toEqual([
      'data: {"id":"c1","choices":[]}\n\n',
    ]);
  });
});

describe("completion: recorded answer -> canonical -> rendered answer", () => {
  for (const name of [
    "chat-completions-text.json",
    "chat-completions-text-httprr.json",
    "chat-completions-tool-call.json",
    "chat-completions-tool-call-httprr.json",
    "chat-completions-parallel-tool-calls.json",
  ]) {
    test(name, () => {
      const completion = JSON.parse(fixture("openai", name)) as ChatCompletion;
      const rendered = renderCompletion(canonicalResponseOf(completion), newId);
      const choice = completion.choices[0];
      expect(rendered.id).toBe(completion.id);
      expect(rendered.model).toBe(completion.model);
      expect(rendered.choices[0]?.finish_reason).toBe(choice?.finish_reason ?? null);
      expect(rendered.choices[0]?.message.content).toBe(choice?.message.content ?? null);
      expect(rendered.choices[0]?.message.tool_calls ?? []).toEqual(
        (choice?.message.tool_calls ?? []).map((call) => ({
          id: call.id,
          type: "function",
          function: { name: call.function.name, arguments: call.function.arguments },
        })),
      );
      expect(rendered.usage?.prompt_tokens).toBe(completion.usage?.prompt_tokens as number);
      expect(rendered.usage?.completion_tokens).toBe(completion.usage?.completion_tokens as number);
    });
  }
});

describe("request: chat -> canonical -> chat", () => {
  const request: ChatRequest = {
    model: "gpt",
    stream: true,
    stream_options: { include_usage: true },
    max_tokens: 100,
    temperature: 0.2,
    stop: "END",
    tools: [{ type: "function", function: { name: "read", parameters: { type: "object" } } }],
    tool_choice: { type: "function", function: { name: "read" } },
    messages: [
      { role: "system", content: "Be brief." },
      {
        role: "user",
        content: [
          { type: "text", text: "What is this?", cache_control: { type: "ephemeral" } },
          { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
        ],
      },
      {
        role: "assistant",
        content: null,
        reasoning_details: [
          {
            type: "reasoning.text",
            text: "think",
            signature: "sig",
            format: "anthropic-claude-v1",
            index: 0,
          },
        ],
        tool_calls: [{ id: "call_1", type: "function", function: { name: "read", arguments: '{"a":1}' } }],
      },
      { role: "tool", tool_call_id: "call_1", content: "result" },
    ],
    logprobs: true,
  } as ChatRequest;

  test("what the canonical request holds", () => {
    const canonical = chatToCanonical(request);
    expect(canonical.system).toEqual([{ type: "text", text: "Be brief." }]);
    expect(canonical.messages[0]?.content).toEqual([
      { type: "text", text: "What is this?", cache: {} },
      { type: "image", source: { type: "base64", mediaType: "image/png", data: "AAAA" } },
    ]);
    expect(canonical.messages[1]?.content).toEqual([
      { type: "thinking", text: "think", signature: "sig", origin: "anthropic-claude-v1" },
      { type: "tool_call", id: "call_1", name: "read", arguments: '{"a":1}' },
    ]);
    expect(canonical.messages[2]?.content).toEqual([
      { type: "tool_result", callId: "call_1", content: [{ type: "text", text: "result" }] },
    ]);
    expect(canonical).toMatchObject({
      stream: true,
      includeUsage: true,
      maxOutputTokens: 100,
      temperature: 0.2,
      stop: ["END"],
      toolChoice: { type: "tool", name: "read" },
      unmapped: ["logprobs"],
    });
  });

  test("and back on the Chat wire, the same conversation", () => {
    const body = chatRequestOf(chatToCanonical(request), "upstream-model", () => {});
    expect(body.model).toBe("upstream-model");
    const messages = body.messages as Array<Record<string, unknown>>;
    expect(messages.map((message) => message.role)).toEqual(["system", "user", "assistant", "tool"]);
    expect(messages[2]?.tool_calls).toEqual([
      { id: "call_1", type: "function", function: { name: "read", arguments: '{"a":1}' } },
    ]);
    expect(messages[2]?.reasoning_details).toEqual([
      { type: "reasoning.text", text: "think", signature: "sig", format: "anthropic-claude-v1", index: 0 },
    ]);
    expect(messages[3]).toEqual({ role: "tool", tool_call_id: "call_1", content: "result" });
    expect(body.tool_choice).toEqual({ type: "function", function: { name: "read" } });
    expect(body.stream_options).toEqual({ include_usage: true });
  });
});

test("what the canonical request cannot carry is noted, for a provider that translates to report", () => {
  const canonical = chatToCanonical({
    model: "m",
    messages: [
      { role: "system", content: [{ type: "image_url", image_url: { url: "https://x/y.png" } }] },
      { role: "user", content: [{ type: "video", url: "v" }] },
      { role: "tool", tool_call_id: "c", content: [{ type: "refusal", refusal: "no" }] },
    ],
  } as ChatRequest);
  expect(canonical.notes).toEqual([
    "a content part of type image_url in a system message was dropped",
    "a content part of type video was dropped",
    "a content part of type refusal in a tool message was dropped",
  ]);
});
