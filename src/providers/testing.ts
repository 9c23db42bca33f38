// Test helpers shared by the provider folders (imported by *.test.ts and per-folder test helpers only).
import type { PullReader } from "./sse.ts";

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
