// Test helpers for the Anthropic folder: fixture loading and stream replay (imported by *.test.ts only).
import { readFileSync } from "node:fs";
import type { ChatCompletionChunk } from "../../api/chat.ts";
import { silentLogger } from "../../log/logger.ts";
import { type PullReader, sseEvents } from "../sse.ts";
import type { StreamChunk } from "../types.ts";
import { type AnthropicStreamOptions, createAnthropicStreamTranslator } from "./stream.ts";

export function fixtureText(name: string): string {
  return readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), "utf8");
}

export function fixtureJson(name: string): unknown {
  return JSON.parse(fixtureText(name));
}

/** A .sse fixture as is, or a .chunks.jsonl fixture wrapped as SSE the way PROVENANCE.md says. */
export function fixtureSse(name: string): string {
  const text = fixtureText(name);
  if (!name.endsWith(".chunks.jsonl")) return text;
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => `data: ${line}\n\n`)
    .join("");
}

export { ssePayloads } from "../testing.ts";

/** Anthropic's documented error envelope (https://docs.anthropic.com/en/api/errors); no 429/529 was recorded. */
export const documentedError = (type: string, message: string) =>
  JSON.stringify({ type: "error", error: { type, message }, request_id: "req_test" });

// ModelInfo list shape: https://docs.anthropic.com/en/api/models-list (no list was recorded)
export const MODELS_PAGE = {
  data: [
    {
      type: "model",
      id: "claude-sonnet-4-5-20250929",
      display_name: "Claude Sonnet 4.5",
      created_at: "2025-09-29T00:00:00Z",
    },
    {
      type: "model",
      id: "claude-haiku-4-5-20251001",
      display_name: "Claude Haiku 4.5",
      created_at: "2025-10-01T00:00:00Z",
    },
  ],
  has_more: false,
  first_id: "claude-sonnet-4-5-20250929",
  last_id: "claude-haiku-4-5-20251001",
};

export function bodyOf(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  return new ReadableStream({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

export const STREAM_DEFAULTS: AnthropicStreamOptions = {
  providerId: "claude",
  id: "chatcmpl-test",
  created: 1_700_000_000,
  includeUsage: true,
  keyConfigured: true,
  logger: silentLogger,
};

export interface Replay {
  chunks: ChatCompletionChunk[];
  error: unknown;
}

/** Reads a chunk stream to its end or its error. */
export async function drain(
  stream: ReadableStream<StreamChunk> | { getReader(): PullReader<StreamChunk> },
): Promise<Replay> {
  const chunks: ChatCompletionChunk[] = [];
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { chunks, error: undefined };
      chunks.push(value.chunk);
    }
  } catch (error) {
    return { chunks, error };
  }
}

export function replaySse(sse: string, options: Partial<AnthropicStreamOptions> = {}): Promise<Replay> {
  const translator = createAnthropicStreamTranslator({ ...STREAM_DEFAULTS, ...options });
  return drain(sseEvents(bodyOf(sse)).pipeThrough(translator));
}

/** Concatenates one delta field over all chunks. */
export function joined(chunks: ChatCompletionChunk[], field: "content" | "reasoning_content"): string {
  return chunks.map((chunk) => chunk.choices[0]?.delta[field] ?? "").join("");
}
