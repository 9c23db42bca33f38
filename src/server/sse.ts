// A rendered stream -> SSE bytes for the client: `data: {...}` events, `data: [DONE]` only on a whole answer.
// The bytes are written by the runtime's writer (runtime/sse-writer.ts: Bun's direct stream there, else standard).
import type { ChunkSource } from "../routing/committed-stream.ts";
import { frame, type SseWriter, standardSseWriter } from "../runtime/sse-writer.ts";

export interface SseOptions {
  /** The runtime's writer (AppDeps.sseWriter); the standard one when none is given. */
  writer?: SseWriter | undefined;
  /** Aborts when the server's shutdown grace ends: a stream still open then ends with the reason as its error. */
  stopping?: AbortSignal | undefined;
  /** Runs once as the stream ends, whichever way, before its last bytes (the request's hold is given back there). */
  onEnd?: (() => void) | undefined;
}

/**
 * `errorEvent` renders a failure after commit as a final `data: {"error": ...}` event; no [DONE] follows it, so a
 * client never takes half an answer for a whole one. A stop at the end of the shutdown grace ends a stream the same
 * way, instead of the socket closing, which a client could take for the end of the answer.
 */
export function toSSE(
  chunks: ChunkSource<string>,
  errorEvent: (thrown: unknown) => string,
  options: SseOptions = {},
): ReadableStream<Uint8Array> {
  const writer = options.writer ?? standardSseWriter;
  return writer(chunks, {
    finalEvent: "data: [DONE]\n\n",
    errorEvent: (thrown) => frame(errorEvent(thrown)),
    stopping: options.stopping,
    onEnd: options.onEnd,
  });
}
