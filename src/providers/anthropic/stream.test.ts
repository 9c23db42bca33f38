// Replays every recorded Anthropic stream through the stream translator and checks the chunks field by field.
import { describe, expect, test } from "bun:test";
import type { ChatCompletionChunk } from "../../api/chat.ts";
import { GatewayError } from "../../api/errors.ts";
import type { Logger } from "../../log/logger.ts";
import { finishReasonFor } from "./response.ts";
import { fixtureSse, ssePayloads } from "../testing.ts";
import { joined, replaySse, STREAM_DEFAULTS } from "./test-data.ts";

const STREAM_FIXTURES = [
  "messages-stream-parallel-tool-use.sse",
  "messages-stream-redacted-thinking.sse",
  "messages-stream-stop-sequence.sse",
  "messages-stream-text-httprr.sse",
  "messages-stream-thinking.sse",
  "messages-text-stream.chunks.jsonl",
  "messages-tool-use-no-args-stream.chunks.jsonl",
];

/** What the recording says, read straight from its payloads. */
function expectedFrom(sse: string) {
  const payloads = ssePayloads(sse);
  let text = "";
  let thinking = "";
  let model = "";
  let stopReason = "";
  let usage: Record<string, number> = {};
  for (const payload of payloads) {
    if (payload.type === "message_start") model = String((payload.message as { model: string }).model);
    if (payload.type === "message_delta") {
      stopReason = String((payload.delta as { stop_reason: string }).stop_reason);
      usage = payload.usage as Record<string, number>;
    }
    if (payload.type !== "content_block_delta") continue;
    const delta = payload.delta as Record<string, string>;
    if (delta.type === "text_delta") text += delta.text;
    if (delta.type === "thinking_delta") thinking += delta.thinking;
  }
  return { text, thinking, model, stopReason, usage };
}

function finishChunks(chunks: ChatCompletionChunk[]) {
  return chunks.filter((chunk) => chunk.choices.some((choice) => choice.finish_reason != null));
}

describe("every recorded stream", () => {
  for (const name of STREAM_FIXTURES) {
    test(name, async () => {
      const sse = fixtureSse("anthropic", name);
      const expected = expectedFrom(sse);
      const { chunks, error } = await replaySse(sse);
      expect(error).toBeUndefined();
      for (const chunk of chunks) {
        expect(chunk.id).toBe("chatcmpl-test");
        expect(chunk.object).toBe("chat.completion.chunk");
        expect(chunk.created).toBe(STREAM_DEFAULTS.created);
        expect(chunk.model).toBe(expected.model);
      }
      expect(chunks[0]?.choices[0]?.delta.role).toBe("assistant");
      expect(joined(chunks, "content")).toBe(expected.text);
      expect(joined(chunks, "reasoning_content")).toBe(expected.thinking);
      const finishes = finishChunks(chunks);
      expect(finishes).toHaveLength(1);
      expect(finishes[0]?.choices[0]?.finish_reason).toBe(finishReasonFor(expected.stopReason));
      expect(chunks.at(-2)).toBe(finishes[0]);
      const last = chunks.at(-1);
      expect(last?.choices).toEqual([]);
      const prompt =
        (expected.usage.input_tokens ?? 0) +
        (expected.usage.cache_read_input_tokens ?? 0) +
        (expected.usage.cache_creation_input_tokens ?? 0);
      expect(last?.usage).toEqual({
        prompt_tokens: prompt,
        completion_tokens: expected.usage.output_tokens ?? 0,
        total_tokens: prompt + (expected.usage.output_tokens ?? 0),
        prompt_tokens_details: { cached_tokens: expected.usage.cache_read_input_tokens ?? 0 },
      });
    });
  }
});

describe("stream details", () => {
  test("plain text: pieces, model and usage", async () => {
    const { chunks } = await replaySse(fixtureSse("anthropic", "messages-stream-text-httprr.sse"));
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? null).filter((text) => text)).toEqual([
      "1",
      "\n2\n3",
      "\n4\n5",
    ]);
    expect(chunks[0]?.model).toBe("claude-3-opus-20240229");
    expect(chunks.at(-1)?.usage).toMatchObject({
      prompt_tokens: 15,
      completion_tokens: 13,
      total_tokens: 28,
    });
    expect(finishChunks(chunks)[0]?.choices[0]?.finish_reason).toBe("stop");
  });

  test("thinking: reasoning_content deltas and one signed reasoning_details entry", async () => {
    const sse = fixtureSse("anthropic", "messages-stream-thinking.sse");
    const signature = ssePayloads(sse)
      .map((payload) => (payload.delta as { signature?: string } | undefined)?.signature ?? "")
      .join("");
    const { chunks } = await replaySse(sse);
    const details = chunks.flatMap((chunk) => (chunk.choices[0]?.delta.reasoning_details as unknown[]) ?? []);
    expect(signature.length).toBeGreaterThan(100);
    expect(details).toEqual([
      {
        type: "reasoning.text",
        text: joined(chunks, "reasoning_content"),
        signature,
        format: "anthropic-claude-v1",
        index: 0,
      },
    ]);
    expect(joined(chunks, "reasoning_content").startsWith("This is a straightforward question")).toBe(true);
    expect(joined(chunks, "content").startsWith("Here are the basic steps")).toBe(true);
  });

  test("redacted thinking: two encrypted reasoning_details entries with the blocks' data", async () => {
    const sse = fixtureSse("anthropic", "messages-stream-redacted-thinking.sse");
    const data = ssePayloads(sse)
      .filter((payload) => payload.type === "content_block_start")
      .map((payload) => payload.content_block as { type: string; data?: string })
      .filter((block) => block.type === "redacted_thinking")
      .map((block) => block.data);
    const { chunks } = await replaySse(sse);
    const details = chunks.flatMap((chunk) => (chunk.choices[0]?.delta.reasoning_details as unknown[]) ?? []);
    expect(details).toEqual([
      { type: "reasoning.encrypted", data: data[0], format: "anthropic-claude-v1", index: 0 },
      { type: "reasoning.encrypted", data: data[1], format: "anthropic-claude-v1", index: 1 },
    ]);
    expect(joined(chunks, "reasoning_content")).toBe("");
  });

  test("parallel tool calls: id and name first, then arguments, per index", async () => {
    const { chunks } = await replaySse(fixtureSse("anthropic", "messages-stream-parallel-tool-use.sse"));
    const pieces = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
    expect(pieces).toEqual([
      {
        index: 0,
        id: "toolu_01LtHJmixrs9NcWQkK8hu8hj",
        type: "function",
        function: { name: "pelican_name_generator", arguments: "" },
      },
      { index: 0, function: { arguments: "{}" } },
      {
        index: 1,
        id: "toolu_01N8a4jWyf116qKTMqKKmjyt",
        type: "function",
        function: { name: "pelican_name_generator", arguments: "" },
      },
      { index: 1, function: { arguments: "{}" } },
    ]);
    expect(finishChunks(chunks)[0]?.choices[0]?.finish_reason).toBe("tool_calls");
    expect(chunks.at(-1)?.usage).toMatchObject({ prompt_tokens: 542, completion_tokens: 62 });
  });

  test("text then a tool without arguments", async () => {
    const { chunks } = await replaySse(
      fixtureSse("anthropic", "messages-tool-use-no-args-stream.chunks.jsonl"),
    );
    expect(joined(chunks, "content")).toBe("I'll update the issue list for you.");
    const pieces = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
    expect(pieces[0]).toEqual({
      index: 0,
      id: "toolu_01QE1WLsSVp5hy5Q3GmGTmjP",
      type: "function",
      function: { name: "updateIssueList", arguments: "" },
    });
    expect(pieces.map((piece) => piece.function?.arguments).join("")).toBe("{}");
    expect(finishChunks(chunks)[0]?.choices[0]?.finish_reason).toBe("tool_calls");
  });

  test("stop_sequence maps to stop", async () => {
    const { chunks } = await replaySse(fixtureSse("anthropic", "messages-stream-stop-sequence.sse"));
    expect(finishChunks(chunks)[0]?.choices[0]?.finish_reason).toBe("stop");
    expect(chunks[0]?.model).toBe("claude-haiku-4-5-20251001");
  });

  test("without include_usage there is no usage chunk", async () => {
    const { chunks } = await replaySse(fixtureSse("anthropic", "messages-text-stream.chunks.jsonl"), {
      includeUsage: false,
    });
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("stop");
    expect(chunks.some((chunk) => chunk.usage != null)).toBe(false);
  });

  test("a prefill's trimmed whitespace is not sent twice", async () => {
    const { chunks } = await replaySse(fixtureSse("anthropic", "messages-stream-stop-sequence.sse"), {
      skipLeading: "\n",
    });
    expect(joined(chunks, "content").startsWith("def pelican():")).toBe(true);
  });
});

describe("failures", () => {
  const sse = fixtureSse("anthropic", "messages-stream-text-httprr.sse");
  const events = sse.split("\n\n").filter((event) => event.trim() !== "");

  test("a body cut before message_stop errors with a transient 502 and no made-up finish", async () => {
    for (const keep of [1, 3, events.length - 1]) {
      const { chunks, error } = await replaySse(`${events.slice(0, keep).join("\n\n")}\n\n`);
      expect(error).toBeInstanceOf(GatewayError);
      expect((error as GatewayError).status).toBe(502);
      expect((error as GatewayError).kind).toBe("transient");
      expect((error as GatewayError).message).toContain("cut");
      expect(finishChunks(chunks)).toHaveLength(0);
    }
  });

  test("an in-stream overloaded_error becomes a transient 503", async () => {
    // Error event shape: https://docs.anthropic.com/en/docs/build-with-claude/streaming#error-events
    const overloaded =
      'event: error\ndata: {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}\n\n';
    const { chunks, error } = await replaySse(`${events.slice(0, 3).join("\n\n")}\n\n${overloaded}`);
    expect(joined(chunks, "content")).toBe("1");
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).status).toBe(503);
    expect((error as GatewayError).kind).toBe("transient");
    expect((error as GatewayError).code).toBe("overloaded_error");
    expect((error as GatewayError).message).toContain("Overloaded");
  });

  test("an in-stream rate_limit_error is rate_limited", async () => {
    const limited =
      'event: error\ndata: {"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}\n\n';
    const { error } = await replaySse(`${events[0]}\n\n${limited}`);
    expect((error as GatewayError).status).toBe(429);
    expect((error as GatewayError).kind).toBe("rate_limited");
  });

  test("an event that cannot be parsed is skipped with a warning", async () => {
    const warnings: string[] = [];
    const logger: Logger = { ...STREAM_DEFAULTS.logger, warn: (message) => warnings.push(message) };
    const broken = [
      events[0],
      "event: content_block_delta\ndata: {not json",
      'data: {"type":"content_block_start"}',
      ...events.slice(1),
    ];
    const { chunks, error } = await replaySse(`${broken.join("\n\n")}\n\n`, { logger });
    expect(error).toBeUndefined();
    expect(joined(chunks, "content")).toBe("1\n2\n3\n4\n5");
    expect(warnings).toHaveLength(2);
  });
});
