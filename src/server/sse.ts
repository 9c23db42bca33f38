// Our stream chunks -> SSE bytes for the client: `data: {...}` events, `data: [DONE]` only on a whole answer.
import type { ChunkSource } from "../routing/stream-commit.ts";

const encoder = new TextEncoder();
const DONE = encoder.encode("data: [DONE]\n\n");

/**
 * `errorEvent` renders a failure after commit as a final `data: {"error": ...}` event; no [DONE] follows it,
 * so a client never takes half an answer for a whole one.
 */
export function toSSE(
  chunks: ChunkSource,
  errorEvent: (thrown: unknown) => string,
): ReadableStream<Uint8Array> {
  // The client left: a pending pull then ends with nothing, and there is no one to write [DONE] or an error to.
  let cancelled = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const value = await chunks.next();
        if (cancelled) return;
        if (value === undefined) {
          controller.enqueue(DONE);
          controller.close();
          return;
        }
        // A multi-line data field reaches us joined with "\n"; forwarded as is it would break the client's framing.
        const raw =
          value.raw !== undefined && !/[\r\n]/.test(value.raw) ? value.raw : JSON.stringify(value.chunk);
        controller.enqueue(encoder.encode(`data: ${raw}\n\n`));
      } catch (thrown) {
        if (cancelled) return;
        controller.enqueue(encoder.encode(`data: ${errorEvent(thrown)}\n\n`));
        controller.close();
      }
    },
    cancel(reason) {
      cancelled = true;
      chunks.cancel(reason);
    },
  });
}
