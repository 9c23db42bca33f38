// A rendered stream -> SSE bytes for the client: the dialect's framed events, its final event only on a whole answer.
// The bytes are written by the runtime's writer (runtime/sse-writer.ts: Bun's direct stream there, else standard).
import type { ChunkSource } from "../routing/committed-stream.ts";
import { type SseWriter, standardSseWriter } from "../runtime/sse-writer.ts";
import { type KeepAlive, withKeepAlive } from "./keep-alive.ts";

export interface SseOptions {
  /** The runtime's writer (AppDeps.sseWriter); the standard one when none is given. */
  writer?: SseWriter | undefined;
  /** Aborts when the server's shutdown grace ends: a stream still open then ends with the reason as its error. */
  stopping?: AbortSignal | undefined;
  /** Runs once as the stream ends, whichever way, before its last bytes (the request's hold is given back there). */
  onEnd?: (() => void) | undefined;
  /** An event sent into the upstream's silences (keep-alive.ts); none when unset. */
  keepAlive?: KeepAlive | undefined;
}

/** How a dialect ends a stream: after a whole answer, and after a failure. */
export interface StreamEnding {
  /** Written after the last event of a whole answer (OpenAI's `data: [DONE]`); "" for none. */
  finalEvent: string;
  /** The framed event that ends an answer which failed (or was stopped) after its first bytes. */
  errorEvent(thrown: unknown): string;
}

/**
 * `ending.errorEvent` renders a failure after commit as a final in-band error event, with no final event after
 * it, so a client never takes half an answer for a whole one. A stop at the end of the shutdown grace ends a
 * stream the same way, instead of the socket closing, which a client could take for the end of the answer.
 */
export function toSSE(
  events: ChunkSource<string>,
  ending: StreamEnding,
  options: SseOptions = {},
): ReadableStream<Uint8Array> {
  const writer = options.writer ?? standardSseWriter;
  return writer(options.keepAlive ? withKeepAlive(events, options.keepAlive) : events, {
    finalEvent: ending.finalEvent,
    errorEvent: ending.errorEvent,
    stopping: options.stopping,
    onEnd: options.onEnd,
  });
}
