// Our stream chunks -> SSE bytes for the client: `data: {...}` events, `data: [DONE]` only on a whole answer.
import type { StreamChunk } from "../providers/types.ts";
import type { ChunkSource } from "../routing/stream-commit.ts";

const encoder = new TextEncoder();
const DONE_EVENT = "data: [DONE]\n\n";
const DONE = encoder.encode(DONE_EVENT);

/** The controller of Bun's "direct" ReadableStream: writes go straight to the response, without a queue. */
interface DirectController {
  write(data: string | BufferSource): number | Promise<number>;
  flush(): number | Promise<number>;
  close(error?: Error): void;
}

/**
 * On Bun, a "direct" stream: one loop per answer writes each event into the response, where a standard stream
 * costs a pull, a queue entry and a read into the response sink per chunk (~3.5 µs of 25 per streamed chunk,
 * bench/RESULTS.md). Elsewhere (Deno) the standard stream; both are the same bytes.
 */
const DIRECT_STREAMS = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";

/**
 * `errorEvent` renders a failure after commit as a final `data: {"error": ...}` event; no [DONE] follows it,
 * so a client never takes half an answer for a whole one. `onEnd` runs once as the stream ends, whichever way,
 * before its last bytes are written (Bun only reaches the connection until then: admission.ts gives back the
 * request's hold there).
 */
export function toSSE(
  chunks: ChunkSource,
  errorEvent: (thrown: unknown) => string,
  onEnd: () => void = () => {},
): ReadableStream<Uint8Array> {
  return DIRECT_STREAMS ? directSSE(chunks, errorEvent, onEnd) : queuedSSE(chunks, errorEvent, onEnd);
}

/** One chunk as its SSE event. */
function eventFor(value: StreamChunk): string {
  // A multi-line data field reaches us joined with "\n"; forwarded as is it would break the client's framing.
  const raw = value.raw !== undefined && !/[\r\n]/.test(value.raw) ? value.raw : JSON.stringify(value.chunk);
  return `data: ${raw}\n\n`;
}

export function directSSE(
  chunks: ChunkSource,
  errorEvent: (thrown: unknown) => string,
  onEnd: () => void = () => {},
): ReadableStream<Uint8Array> {
  // The client left: a pending read then ends with nothing, and there is no one to write [DONE] or an error to.
  let cancelled = false;
  const source = {
    type: "direct",
    async pull(controller: DirectController) {
      try {
        for (;;) {
          const value = await chunks.next();
          if (cancelled) return;
          if (value === undefined) {
            onEnd();
            controller.write(DONE_EVENT);
            controller.close();
            return;
          }
          // A promise means the client reads slower than the upstream writes: waiting for it is the backpressure
          // that holds the upstream read. The flush sends the event now, whatever the sink's buffering.
          const written = controller.write(eventFor(value));
          if (typeof written !== "number") await written;
          const flushed = controller.flush();
          if (typeof flushed !== "number") await flushed;
        }
      } catch (thrown) {
        if (cancelled) return;
        onEnd();
        controller.write(`data: ${errorEvent(thrown)}\n\n`);
        controller.close();
      }
    },
    cancel(reason?: unknown) {
      cancelled = true;
      onEnd();
      chunks.cancel(reason);
    },
  };
  return new ReadableStream(source as unknown as UnderlyingDefaultSource<Uint8Array>);
}

export function queuedSSE(
  chunks: ChunkSource,
  errorEvent: (thrown: unknown) => string,
  onEnd: () => void = () => {},
): ReadableStream<Uint8Array> {
  let cancelled = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const value = await chunks.next();
        if (cancelled) return;
        if (value === undefined) {
          onEnd();
          controller.enqueue(DONE);
          controller.close();
          return;
        }
        controller.enqueue(encoder.encode(eventFor(value)));
      } catch (thrown) {
        if (cancelled) return;
        onEnd();
        controller.enqueue(encoder.encode(`data: ${errorEvent(thrown)}\n\n`));
        controller.close();
      }
    },
    cancel(reason) {
      cancelled = true;
      onEnd();
      chunks.cancel(reason);
    },
  });
}
