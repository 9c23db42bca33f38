// Replays every recorded Anthropic stream through the stream translator and checks the canonical frames against
// what the recording says, read straight from its payloads.
import { describe, expect, test } from "bun:test";
import { GatewayError } from "../../api/errors.ts";
import type { ContentBlock } from "../../canonical/content.ts";
import type { CanonicalResponse, CanonicalUsage, StopReason } from "../../canonical/response.ts";
import { collectResponse, type StreamEvent } from "../../canonical/stream.ts";
import type { Logger } from "../../log/logger.ts";
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
  "messages-stream-web-search.chunks.jsonl",
  "messages-stream-code-execution-cache.chunks.jsonl",
];

/** Anthropic's name for its own thinking blocks' origin (OpenRouter's reasoning format name). */
const ANTHROPIC_ORIGIN = "anthropic-claude-v1";

type Payload = Record<string, unknown>;

function record(value: unknown): Payload {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? { ...value } : {};
}

const text = (value: unknown): string => (typeof value === "string" ? value : "");

/** A recorded usage object in canonical terms: every input token counted, cache reads and writes named. */
function recordedUsage(usage: Payload): CanonicalUsage {
  const number = (field: string) => (typeof usage[field] === "number" ? usage[field] : undefined);
  const cacheRead = number("cache_read_input_tokens");
  const cacheWrite = number("cache_creation_input_tokens");
  const out: CanonicalUsage = {
    inputTokens: (number("input_tokens") ?? 0) + (cacheRead ?? 0) + (cacheWrite ?? 0),
    outputTokens: number("output_tokens") ?? 0,
  };
  if (cacheRead !== undefined) out.cacheReadTokens = cacheRead;
  if (cacheWrite !== undefined) out.cacheWriteTokens = cacheWrite;
  const thinking = record(usage.output_tokens_details).thinking_tokens;
  if (typeof thinking === "number") out.reasoningTokens = thinking;
  return out;
}

interface RecordedBlock {
  start: Payload;
  text: string;
  thinking: string;
  signature: string;
  json: string;
  citations: unknown[];
}

function blockFrom({ start, ...streamed }: RecordedBlock): ContentBlock {
  switch (start.type) {
    case "text": {
      const block: ContentBlock = { type: "text", text: text(start.text) + streamed.text };
      if (streamed.citations.length > 0) block.citations = streamed.citations;
      return block;
    }
    case "thinking":
      return {
        type: "thinking",
        text: text(start.thinking) + streamed.thinking,
        signature: text(start.signature) + streamed.signature,
        origin: ANTHROPIC_ORIGIN,
      };
    case "redacted_thinking":
      return { type: "redacted_thinking", data: text(start.data), origin: ANTHROPIC_ORIGIN };
    case "tool_use":
      return {
        type: "tool_call",
        id: text(start.id),
        name: text(start.name),
        arguments: streamed.json || JSON.stringify(start.input),
      };
    case "server_tool_use":
      return {
        type: "server_tool_call",
        id: text(start.id),
        name: text(start.name),
        input: streamed.json ? JSON.parse(streamed.json) : start.input,
      };
    default:
      return {
        type: "server_tool_result",
        callId: text(start.tool_use_id),
        resultType: text(start.type),
        content: start.content,
      };
  }
}

const STOP_REASONS: StopReason[] = [
  "end_turn",
  "stop_sequence",
  "max_tokens",
  "tool_use",
  "refusal",
  "pause_turn",
];

/** The whole answer a recording streams, assembled from its payloads without the translator. */
function recordedAnswer(payloads: Payload[]): CanonicalResponse {
  const answer: CanonicalResponse = {
    id: "",
    model: "",
    created: STREAM_DEFAULTS.created,
    content: [],
    stopReason: null,
  };
  const blocks = new Map<unknown, RecordedBlock>();
  let usage: Payload = {};
  const mergeUsage = (next: unknown) => {
    for (const [field, value] of Object.entries(record(next))) if (value != null) usage[field] = value;
  };
  for (const payload of payloads) {
    if (payload.type === "message_start") {
      const message = record(payload.message);
      answer.id = text(message.id);
      answer.model = text(message.model);
      mergeUsage(message.usage);
    } else if (payload.type === "content_block_start") {
      const start = record(payload.content_block);
      blocks.set(payload.index, { start, text: "", thinking: "", signature: "", json: "", citations: [] });
    } else if (payload.type === "content_block_delta") {
      const block = blocks.get(payload.index);
      const delta = record(payload.delta);
      if (!block) continue;
      block.text += text(delta.text);
      block.thinking += text(delta.thinking);
      block.signature += text(delta.signature);
      block.json += text(delta.partial_json);
      if (delta.citation !== undefined) block.citations.push(delta.citation);
    } else if (payload.type === "message_delta") {
      const delta = record(payload.delta);
      answer.stopReason = STOP_REASONS.find((reason) => reason === delta.stop_reason) ?? null;
      if (delta.stop_sequence) answer.stopSequence = text(delta.stop_sequence);
      mergeUsage(payload.usage);
    }
  }
  answer.content = [...blocks.values()].map(blockFrom);
  answer.usage = recordedUsage(usage);
  return answer;
}

/** The `event:` line of each recorded SSE event (a .chunks.jsonl replay has none). */
function eventNames(sse: string): Array<string | undefined> {
  return sse
    .split("\n\n")
    .filter((event) => event.trim() !== "")
    .map((event) => /^event: ?(.*)$/m.exec(event)?.[1]);
}

describe("every recorded stream", () => {
  for (const name of STREAM_FIXTURES) {
    test(`${name}: the whole answer, as the recording says`, async () => {
      const sse = fixtureSse("anthropic", name);
      const { events, error } = await replaySse(sse);
      expect(error).toBeUndefined();
      expect(collectResponse(events)).toEqual(recordedAnswer(ssePayloads(sse)));
    });

    test(`${name}: one frame per event, each with the event's own bytes`, async () => {
      const sse = fixtureSse("anthropic", name);
      const payloads = ssePayloads(sse);
      const names = eventNames(sse);
      const { frames } = await replaySse(sse);
      expect(frames).toHaveLength(payloads.length);
      frames.forEach((frame, index) => {
        expect(frame.raw?.dialect).toBe("anthropic-messages");
        expect(JSON.parse(frame.raw?.data ?? "")).toEqual(payloads[index] ?? {});
        expect(frame.raw?.event).toBe(names[index]);
      });
    });

    test(`${name}: start first, stable block indexes, finish last`, async () => {
      const sse = fixtureSse("anthropic", name);
      const payloads = ssePayloads(sse);
      const { frames, events } = await replaySse(sse);
      expect(events[0]).toMatchObject({ type: "start", id: record(payloads[0]?.message).id });
      expect(events.filter((event) => event.type === "start")).toHaveLength(1);
      const starts = events.filter((event) => event.type === "block_start").map((event) => event.index);
      const recordedStarts = payloads.filter((payload) => payload.type === "content_block_start");
      expect(starts).toEqual(recordedStarts.map((payload) => Number(payload.index)));
      const opened = new Set<number>();
      for (const event of events) {
        if (event.type === "block_start") opened.add(event.index);
        if (event.type === "block_delta" || event.type === "block_stop")
          expect(opened.has(event.index)).toBe(true);
      }
      const finishes = frames.filter((frame) => frame.events.some((event) => event.type === "finish"));
      expect(finishes).toEqual(frames.slice(-1));
    });
  }
});

const eventsOf = async (name: string, options = {}) =>
  (await replaySse(fixtureSse("anthropic", name), options)).events;

const finishOf = (events: StreamEvent[]) => events.find((event) => event.type === "finish");

describe("what the OpenAI dialect cannot show", () => {
  test("stop_sequence (and which sequence) is kept apart from end_turn", async () => {
    const stopped = await eventsOf("messages-stream-stop-sequence.sse");
    const recorded = ssePayloads(fixtureSse("anthropic", "messages-stream-stop-sequence.sse"));
    const delta = record(recorded.find((payload) => payload.type === "message_delta")?.delta);
    expect(delta.stop_reason).toBe("stop_sequence");
    expect(finishOf(stopped)).toEqual({
      type: "finish",
      stopReason: "stop_sequence",
      stopSequence: String(delta.stop_sequence),
    });
    expect(finishOf(await eventsOf("messages-stream-text-httprr.sse"))).toEqual({
      type: "finish",
      stopReason: "end_turn",
    });
  });

  test("usage with prompt-cache writes and reads, and reasoning tokens; a later report replaces an earlier one", async () => {
    const name = "messages-stream-code-execution-cache.chunks.jsonl";
    const recorded = ssePayloads(fixtureSse("anthropic", name));
    const start = record(record(recorded[0]?.message).usage);
    const last = record(recorded.find((payload) => payload.type === "message_delta")?.usage);
    expect(last.cache_creation_input_tokens).toBeGreaterThan(0);
    const usages = (await eventsOf(name)).filter((event) => event.type === "usage");
    expect(usages.map((event) => event.type === "usage" && event.usage)).toEqual([
      recordedUsage(start),
      recordedUsage({ ...start, ...last }),
    ]);
    expect(recordedUsage(last)).toEqual({
      inputTokens:
        Number(last.input_tokens) +
        Number(last.cache_read_input_tokens) +
        Number(last.cache_creation_input_tokens),
      outputTokens: Number(last.output_tokens),
      cacheReadTokens: Number(last.cache_read_input_tokens),
      cacheWriteTokens: Number(last.cache_creation_input_tokens),
      reasoningTokens: 0,
    });
  });

  test("server tools: the call's input streams as arguments, its result comes whole, in the tool's own shape", async () => {
    const name = "messages-stream-code-execution-cache.chunks.jsonl";
    const recorded = ssePayloads(fixtureSse("anthropic", name));
    const blocks = recorded
      .filter((payload) => payload.type === "content_block_start")
      .map((payload) => record(payload.content_block));
    const response = collectResponse(await eventsOf(name));
    expect(response.content.map((block) => block.type)).toEqual([
      "server_tool_call",
      "server_tool_result",
      "server_tool_call",
      "server_tool_result",
      "text",
    ]);
    const [call, result] = response.content;
    expect(call).toMatchObject({ type: "server_tool_call", id: blocks[0]?.id, name: "bash_code_execution" });
    expect(call?.type === "server_tool_call" && call.input).toEqual({
      command: 'for n in $(seq 1 12); do echo "$n: $((n*n))"; done',
    });
    expect(result).toEqual({
      type: "server_tool_result",
      callId: String(blocks[0]?.id),
      resultType: "bash_code_execution_tool_result",
      content: blocks[1]?.content,
    });
  });

  test("web search: server_tool_call, its web_search_tool_result, and citations on the text that quotes it", async () => {
    const name = "messages-stream-web-search.chunks.jsonl";
    const recorded = ssePayloads(fixtureSse("anthropic", name));
    const events = await eventsOf(name);
    const citations = events.filter(
      (event) => event.type === "block_delta" && event.delta.type === "citation",
    );
    const recordedCitations = recorded
      .map((payload) => record(payload.delta))
      .filter((delta) => delta.type === "citations_delta");
    expect(citations.length).toBe(recordedCitations.length);
    expect(citations.length).toBeGreaterThan(0);
    const response = collectResponse(events);
    const search = response.content[0];
    expect(search?.type === "server_tool_call" && search.input).toEqual({
      query: "tech news today September 26 2025",
    });
    expect(response.content[1]).toMatchObject({
      type: "server_tool_result",
      resultType: "web_search_tool_result",
    });
    const cited = response.content.filter((block) => block.type === "text" && block.citations);
    expect(cited.flatMap((block) => (block.type === "text" && block.citations) || [])).toEqual(
      recordedCitations.map((delta) => delta.citation),
    );
  });

  test("the upstream's own message id", async () => {
    const events = await eventsOf("messages-stream-thinking.sse");
    expect(events[0]).toMatchObject({ type: "start", id: "msg_01ALwQ87pTS7hH1PjSdC9wJD" });
  });
});

describe("stream details", () => {
  test("plain text: the deltas as recorded", async () => {
    const events = await eventsOf("messages-stream-text-httprr.sse");
    const texts = events.flatMap((event) =>
      event.type === "block_delta" && event.delta.type === "text" ? [event.delta.text] : [],
    );
    expect(texts).toEqual(["1", "\n2\n3", "\n4\n5"]);
    expect(events[0]).toMatchObject({
      type: "start",
      model: "claude-3-opus-20240229",
      created: 1_700_000_000,
    });
  });

  test("thinking: thinking deltas, then one signature delta, on a block of Anthropic's origin", async () => {
    const sse = fixtureSse("anthropic", "messages-stream-thinking.sse");
    const signature = ssePayloads(sse)
      .map((payload) => text(record(payload.delta).signature))
      .join("");
    const events = await eventsOf("messages-stream-thinking.sse");
    const thinkingStart = events.find(
      (event) => event.type === "block_start" && event.block.type === "thinking",
    );
    expect(thinkingStart).toEqual({
      type: "block_start",
      index: 0,
      block: { type: "thinking", origin: ANTHROPIC_ORIGIN },
    });
    const onBlock = events.filter((event) => event.type === "block_delta" && event.index === 0);
    expect(onBlock.at(-1)).toEqual({
      type: "block_delta",
      index: 0,
      delta: { type: "signature", signature },
    });
    expect(
      onBlock.slice(0, -1).every((event) => event.type === "block_delta" && event.delta.type === "thinking"),
    ).toBe(true);
    expect(signature.length).toBeGreaterThan(100);
    expect(joined(events, "thinking").startsWith("This is a straightforward question")).toBe(true);
    expect(joined(events, "text").startsWith("Here are the basic steps")).toBe(true);
  });

  test("redacted thinking: each block starts with its data", async () => {
    const sse = fixtureSse("anthropic", "messages-stream-redacted-thinking.sse");
    const data = ssePayloads(sse)
      .map((payload) => record(payload.content_block))
      .filter((block) => block.type === "redacted_thinking")
      .map((block) => text(block.data));
    const starts = (await eventsOf("messages-stream-redacted-thinking.sse")).filter(
      (event) => event.type === "block_start" && event.block.type === "redacted_thinking",
    );
    expect(starts.map((event) => event.type === "block_start" && event.block)).toEqual(
      data.map((value) => ({ type: "redacted_thinking", data: value, origin: ANTHROPIC_ORIGIN })),
    );
  });

  test("a tool call whose input is whole at its start is one arguments delta with its JSON", async () => {
    const events = await eventsOf("messages-stream-parallel-tool-use.sse");
    const calls = events.filter((event) => event.type === "block_start" && event.block.type === "tool_call");
    expect(calls.map((event) => event.type === "block_start" && event.block)).toEqual([
      { type: "tool_call", id: "toolu_01LtHJmixrs9NcWQkK8hu8hj", name: "pelican_name_generator" },
      { type: "tool_call", id: "toolu_01N8a4jWyf116qKTMqKKmjyt", name: "pelican_name_generator" },
    ]);
    const args = events.filter((event) => event.type === "block_delta" && event.delta.type === "arguments");
    expect(args).toEqual(
      calls.map((call) => ({
        type: "block_delta",
        index: call.type === "block_start" ? call.index : -1,
        delta: { type: "arguments", json: "{}" },
      })),
    );
    expect(finishOf(events)).toEqual({ type: "finish", stopReason: "tool_use" });
  });

  test("a ping is a frame without events, its bytes kept", async () => {
    const { frames } = await replaySse(fixtureSse("anthropic", "messages-stream-text-httprr.sse"));
    const pings = frames.filter((frame) => frame.raw?.event === "ping");
    expect(pings.length).toBeGreaterThan(0);
    for (const ping of pings) expect(ping.events).toEqual([]);
  });

  test("a prefill's trimmed whitespace is not sent twice", async () => {
    const events = await eventsOf("messages-stream-stop-sequence.sse", { skipLeading: "\n" });
    expect(joined(events, "text").startsWith("def pelican():")).toBe(true);
  });
});

describe("failures", () => {
  const sse = fixtureSse("anthropic", "messages-stream-text-httprr.sse");
  const events = sse.split("\n\n").filter((event) => event.trim() !== "");

  test("a body cut before message_stop errors with a transient 502 and no made-up finish", async () => {
    for (const keep of [1, 3, events.length - 1]) {
      const replay = await replaySse(`${events.slice(0, keep).join("\n\n")}\n\n`);
      expect(replay.error).toBeInstanceOf(GatewayError);
      expect(replay.error).toMatchObject({
        status: 502,
        kind: "transient",
        message: expect.stringContaining("cut"),
      });
      expect(finishOf(replay.events)).toBeUndefined();
    }
  });

  test("an in-stream overloaded_error becomes a transient 503, after the frames before it", async () => {
    // Error event shape: https://docs.anthropic.com/en/docs/build-with-claude/streaming#error-events
    const overloaded =
      'event: error\ndata: {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}\n\n';
    const replay = await replaySse(`${events.slice(0, 3).join("\n\n")}\n\n${overloaded}`);
    expect(joined(replay.events, "text")).toBe("1");
    expect(replay.error).toBeInstanceOf(GatewayError);
    expect(replay.error).toMatchObject({
      status: 503,
      kind: "transient",
      code: "overloaded_error",
      message: expect.stringContaining("Overloaded"),
    });
  });

  test("an in-stream rate_limit_error is rate_limited", async () => {
    const limited =
      'event: error\ndata: {"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}\n\n';
    const { error } = await replaySse(`${events[0]}\n\n${limited}`);
    expect(error).toMatchObject({ status: 429, kind: "rate_limited" });
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
    const replay = await replaySse(`${broken.join("\n\n")}\n\n`, { logger });
    expect(replay.error).toBeUndefined();
    expect(joined(replay.events, "text")).toBe("1\n2\n3\n4\n5");
    expect(replay.frames).toHaveLength(events.length);
    expect(warnings).toHaveLength(2);
  });
});
