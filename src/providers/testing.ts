// Test helpers shared by the provider folders (imported by *.test.ts and per-folder test helpers only).
import type { PullReader } from "./sse.ts";

/** The `data:` payloads of an SSE text, parsed independently of any translator under test. */
export function ssePayloads(sse: string): Array<Record<string, unknown>> {
  return sse
    .split(/\r?\n/)
    .filter((line) => line.startsWith("data:"))
    .map((line) => JSON.parse(line.slice("data:".length)) as Record<string, unknown>);
}

/** Reads a stream (or a pull reader's source) to its end; `error` is what it errored with, if it did. */
export async function drain<T>(
  stream: ReadableStream<T> | { getReader(): PullReader<T> },
): Promise<{ items: T[]; error?: unknown }> {
  const items: T[] = [];
  const reader = stream.getReader();
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) return { items };
      items.push(next.value);
    }
  } catch (error) {
    return { items, error };
  }
}
