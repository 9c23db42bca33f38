// A rendered stream -> SSE bytes for the client: `data: {...}` events, `data: [DONE]` only on a whole answer.
import type { ChunkSource } from "../routing/committed-stream.ts";

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
 * so a client never takes half an answer for a whole one.
 */
export function toSSE(
  chunks: ChunkSource<string>,
  errorEvent: (thrown: unknown) => string,
): ReadableStream<Uint8Array> {
  return DIRECT_STREAMS ? directSSE(chunks, errorEvent) : queuedSSE(chunks, errorEvent);
}

/** One event's data (a single line: the dialect's renderer keeps it so) as its SSE event. */
function eventFor(data: string): string {
  return `data: ${data}\n\n`;
}

export function directSSE(
  chunks: ChunkSource<string>,
  errorEvent: (thrown: unknown) => string,
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
        controller.write(`data: ${errorEvent(thrown)}\n\n`);
        controller.close();
      }
    },
    cancel(reason?: unknown) {
      cancelled = true;
      chunks.cancel(reason);
    },
  };
  return new ReadableStream(source as unknown as UnderlyingDefaultSource<Uint8Array>);
}

export function queuedSSE(
  chunks: ChunkSource<string>,
  errorEvent: (thrown: unknown) => string,
): ReadableStream<Uint8Array> {
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
        controller.enqueue(encoder.encode(eventFor(value)));
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
