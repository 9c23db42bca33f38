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
 * so a client never takes half an answer for a whole one. `stopping` aborts when the server's shutdown grace
 * ends: a stream still open then ends the same way, with its signal's reason as the error, instead of being cut
 * by the socket closing, which a client could take for the end of the answer.
 */
export function toSSE(
  chunks: ChunkSource<string>,
  errorEvent: (thrown: unknown) => string,
  stopping?: AbortSignal,
): ReadableStream<Uint8Array> {
  return DIRECT_STREAMS ? directSSE(chunks, errorEvent, stopping) : queuedSSE(chunks, errorEvent, stopping);
}

const noop = () => {};

/** Calls `stop` with the signal's reason once it aborts (at once if it has); returns how to stop listening. */
function onStop(signal: AbortSignal | undefined, stop: (reason: unknown) => void): () => void {
  if (!signal) return noop;
  if (signal.aborted) {
    stop(signal.reason);
    return noop;
  }
  const listener = () => stop(signal.reason);
  signal.addEventListener("abort", listener, { once: true });
  return () => signal.removeEventListener("abort", listener);
}

/** One event's data (a single line: the dialect's renderer keeps it so) as its SSE event. */
function eventFor(data: string): string {
  return `data: ${data}\n\n`;
}

export function directSSE(
  chunks: ChunkSource<string>,
  errorEvent: (thrown: unknown) => string,
  stopping?: AbortSignal,
): ReadableStream<Uint8Array> {
  // The client left, or the server stopped the stream: a pending read then ends with nothing, and nothing more
  // is written.
  let ended = false;
  let release = noop;
  const source = {
    type: "direct",
    async pull(controller: DirectController) {
      release = onStop(stopping, (reason) => {
        if (ended) return;
        ended = true;
        chunks.cancel(reason);
        try {
          controller.write(`data: ${errorEvent(reason)}\n\n`);
          controller.close();
        } catch {
          // The response is gone already (the client left as the server stopped): nothing to tell.
        }
      });
      try {
        if (ended) return;
        for (;;) {
          const value = await chunks.next();
          if (ended) return;
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
        if (ended) return;
        controller.write(`data: ${errorEvent(thrown)}\n\n`);
        controller.close();
      } finally {
        ended = true;
        release();
      }
    },
    cancel(reason?: unknown) {
      ended = true;
      release();
      chunks.cancel(reason);
    },
  };
  return new ReadableStream(source as unknown as UnderlyingDefaultSource<Uint8Array>);
}

export function queuedSSE(
  chunks: ChunkSource<string>,
  errorEvent: (thrown: unknown) => string,
  stopping?: AbortSignal,
): ReadableStream<Uint8Array> {
  let ended = false;
  let release = noop;
  const end = (controller: ReadableStreamDefaultController<Uint8Array>, last: Uint8Array) => {
    ended = true;
    release();
    controller.enqueue(last);
    controller.close();
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      release = onStop(stopping, (reason) => {
        if (ended) return;
        chunks.cancel(reason);
        try {
          end(controller, encoder.encode(`data: ${errorEvent(reason)}\n\n`));
        } catch {
          // The response is gone already (the client left as the server stopped): nothing to tell.
        }
      });
    },
    async pull(controller) {
      try {
        const value = await chunks.next();
        if (ended) return;
        if (value === undefined) end(controller, DONE);
        else controller.enqueue(encoder.encode(eventFor(value)));
      } catch (thrown) {
        if (ended) return;
        end(controller, encoder.encode(`data: ${errorEvent(thrown)}\n\n`));
      }
    },
    cancel(reason) {
      ended = true;
      release();
      chunks.cancel(reason);
    },
  });
}
