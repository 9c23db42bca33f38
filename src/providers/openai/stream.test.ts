// The OpenAI stream translator on recorded streams: chunks forwarded unchanged, cuts and in-band errors caught.

import { describe, expect, test } from "bun:test";
import { GatewayError } from "../../api/errors.ts";
import { collectResponse } from "../../canonical/stream.ts";
import { silentLogger } from "../../log/logger.ts";
import { readEventStream } from "../event-stream.ts";
import { bodyOf, drain, fixtureText } from "../testing.ts";
import { openAIStreamTransformer } from "./stream.ts";

const fixture = (name: string) => fixtureText("openai", name);

/** The SSE text through the shared reader and the translator, in odd-sized pieces (events split across reads). */
async function translate(text: string) {
  const chunks = readEventStream(
    bodyOf(text, { pieceSize: 37 }),
    "sse",
    openAIStreamTransformer("openai", silentLogger, "configured"),
    {
      providerId: "openai",
      signal: new AbortController().signal,
    },
  );
  const { items, error } = await drain(chunks);
  return { chunks: items, error };
}

function dataPayloads(text: string): string[] {
  return text
    .split(/\r?\n/)
    .filter((line) => line.startsWith("data: "))
    .map((line) => line.slice(6))
    .filter((data) => data !== "[DONE]");
}

describe("recorded streams", () => {
  for (const name of [
    "chat-completions-stream-include-usage.sse",
    "chat-completions-stream-include-usage-httprr.sse",
    "chat-completions-stream-tool-call.sse",
    "chat-completions-stream-after-tool-result.sse",
  ]) {
    test(`${name}: every chunk forwarded with its own bytes, in order, and complete`, async () => {
      const text = fixture(name);
      const { chunks, error } = await translate(text);
      expect(error).toBeUndefined();
      expect(chunks.map((frame) => frame.raw?.data)).toEqual(dataPayloads(text));
      expect(chunks.every((frame) => frame.raw?.dialect === "openai-chat")).toBe(true);
      // Exactly one finish, and the answer's text as the recording has it.
      const events = chunks.flatMap((frame) => frame.events);
      expect(events.filter((event) => event.type === "finish")).toHaveLength(1);
      const text_ = dataPayloads(text)
        .map((data) => JSON.parse(data).choices?.[0]?.delta?.content ?? "")
        .join("");
      const whole = collectResponse(events);
      expect(whole.content.flatMap((block) => (block.type === "text" ? [block.text] : [])).join("")).toBe(
        text_,
      );
    });
  }

  test("chunks.jsonl: text, finish_reason and the usage chunk parse as OpenAI sent them", async () => {
    const lines = fixture("chat-completions-text-stream.chunks.jsonl").split("\n").filter(Boolean);
    const { chunks, error } = await translate(lines.map((line) => `data: ${line}\n\n`).join(""));
    expect(error).toBeUndefined();
    expect(chunks).toHaveLength(lines.length);
    const last = JSON.parse(chunks.at(-1)?.raw?.data ?? "{}");
    expect(last.choices).toEqual([]);
    expect(last.usage.total_tokens).toBeGreaterThan(0);
    const usage = chunks.at(-1)?.events.find((event) => event.type === "usage");
    expect(usage).toEqual({
      type: "usage",
      usage: {
        inputTokens: last.usage.prompt_tokens,
        outputTokens: last.usage.completion_tokens,
        cacheReadTokens: last.usage.prompt_tokens_details.cached_tokens,
        reasoningTokens: last.usage.completion_tokens_details.reasoning_tokens,
      },
    });
    expect(chunks[0]?.events[0]).toMatchObject({ type: "start", id: JSON.parse(lines[0] as string).id });
  });
});

describe("broken streams", () => {
  const events = dataPayloads(fixture("chat-completions-stream-include-usage.sse"));

  test("a body that ends before any finish_reason is a cut (transient), never a complete answer", async () => {
    const { chunks, error } = await translate(
      events
        .slice(0, 4)
        .map((data) => `data: ${data}\n\n`)
        .join(""),
    );
    expect(chunks).toHaveLength(4);
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).kind).toBe("transient");
    expect((error as GatewayError).code).toBe("stream_cut");
  });

  test("finish_reason without [DONE] is complete", async () => {
    const { error } = await translate(
      events
        .slice(0, -1)
        .map((data) => `data: ${data}\n\n`)
        .join(""),
    );
    expect(error).toBeUndefined();
  });

  test("with n=2, one finished choice is not a whole answer", async () => {
    const chunk = (index: number, content: string | null, finish: string | null) =>
      `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index, delta: content === null ? {} : { content }, finish_reason: finish }] })}\n\n`;
    const { error } = await translate(chunk(0, "a", null) + chunk(1, "b", null) + chunk(0, null, "stop"));
    expect((error as GatewayError).code).toBe("stream_cut");
    const whole = await translate(
      chunk(0, "a", null) + chunk(1, "b", null) + chunk(0, null, "stop") + chunk(1, null, "stop"),
    );
    expect(whole.error).toBeUndefined();
  });

  test("an in-band error event (OpenRouter style) errors the stream with its status", async () => {
    const text = `data: ${events[0]}\n\ndata: {"error":{"message":"Rate limit exceeded","code":429}}\n\n`;
    const { error } = await translate(text);
    expect((error as GatewayError).status).toBe(429);
    expect((error as GatewayError).kind).toBe("rate_limited");
  });

  test("an in-band empty account with a configured key fails over (not the client's error)", async () => {
    const text = `data: ${events[0]}\n\ndata: {"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}}\n\n`;
    const { error } = await translate(text);
    expect((error as GatewayError).kind).toBe("misconfigured");
  });

  test("[DONE] without any finish_reason still ends the canonical stream with a finish", async () => {
    const withoutFinish = events
      .map((data) => JSON.parse(data))
      .filter((chunk) =>
        chunk.choices?.every((choice: { finish_reason: unknown }) => choice.finish_reason == null),
      )
      .map((chunk) => `data: ${JSON.stringify(chunk)}\n\n`)
      .join("");
    const { chunks, error } = await translate(`${withoutFinish}data: [DONE]\n\n`);
    expect(error).toBeUndefined();
    expect(chunks.at(-1)?.events).toEqual([{ type: "finish", stopReason: "end_turn" }]);
    expect(chunks.at(-1)?.raw).toBeUndefined();
  });

  test("junk that is not a chunk is skipped, not fatal", async () => {
    const text = `data: {not json\n\ndata: {"choices":[null]}\n\ndata: 42\n\n${events.map((data) => `data: ${data}\n\n`).join("")}`;
    const { chunks, error } = await translate(text);
    expect(error).toBeUndefined();
    expect(chunks).toHaveLength(events.length);
  });
});
