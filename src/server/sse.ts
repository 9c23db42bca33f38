// Our stream chunks -> SSE bytes for the client: `data: {...}` events, `data: [DONE]` only on a whole answer.
import type { StreamChunk } from "../providers/types.ts";

const encoder = new TextEncoder();
const DONE = encoder.encode("data: [DONE]\n\n");

/**
 * `errorEvent` renders a failure after commit as a final `data: {"error": ...}` event; no [DONE] follows it,
 * so a client never takes half an answer for a whole one.
 */
export function toSSE(
  chunks: ReadableStream<StreamChunk>,
  errorEvent: (thrown: unknown) => string,
): ReadableStream<Uint8Array> {
  const reader = chunks.getReader();
  // The client left: a pending read then ends with done, and there is no one to write [DONE] or an error to.
  let cancelled = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { value, done } = await reader.read();
        if (cancelled) return;
        if (done) {
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
      return reader.cancel(reason);
    },
  });
}
