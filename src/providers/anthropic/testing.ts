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
