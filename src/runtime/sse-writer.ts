// What writes an answer's server-sent events into its response: one interface, a writer per runtime.

/** An answer's server-sent events, each framed whole ("data: ...\n\n"); undefined once the answer is complete. */
export interface EventSource {
  next(): Promise<string | undefined>;
  /** The next event if it is ready without waiting, else undefined (then `next()` waits for it). */
  queued?(): string | undefined;
  /** The client left, or the server stopped the stream: stop producing and release the upstream. */
  cancel(reason?: unknown): void;
}

export interface EventWriting {
  /** Written after the last event of a complete answer (`data: [DONE]`; "" for a dialect without one). */
  finalEvent: string;
  /** The framed event that ends an answer which failed (or was stopped) after its first bytes. */
  errorEvent(thrown: unknown): string;
  /** Aborts when the server's shutdown grace ends: the stream then ends with the reason as its error event. */
  stopping?: AbortSignal | undefined;
  /** Runs once as the stream ends, whichever way, before its last bytes are written. */
  onEnd?: (() => void) | undefined;
}

export type SseWriter = (events: EventSource, writing: EventWriting) => ReadableStream<Uint8Array>;

const noop = () => {};

/**
 * `first` and every event already waiting behind it, as one string: the events of one upstream read go out in one
 * write (and one flush) instead of one each, with none held back for later.
 */
export function withQueued(events: EventSource, first: string): string {
  if (!events.queued) return first;
  let batch = first;
  for (let more = events.queued(); more !== undefined; more = events.queued()) batch += more;
  return batch;
}

/** One event's data as its SSE event. */
export function frame(data: string): string {
  return `data: ${data}\n\n`;
}

/** A named event (Anthropic's and the Responses API's streams) as its SSE event. */
export function namedFrame(event: string, data: string): string {
  return `event: ${event}\ndata: ${data}\n\n`;
}

/** Calls `stop` with the signal's reason once it aborts (at once if it has); returns how to stop listening. */
export function onStop(signal: AbortSignal | undefined, stop: (reason: unknown) => void): () => void {
  if (!signal) return noop;
  if (signal.aborted) {
    stop(signal.reason);
    return noop;
  }
  const listener = () => stop(signal.reason);
  signal.addEventListener("abort", listener, { once: true });
  return () => signal.removeEventListener("abort", listener);
}

/**
 * The standard ReadableStream writer, for any runtime: one pull per event. The answer ends once: with the final
 * event, an error event, the server's stop, or the client leaving (then nothing more is written).
 */
export const standardSseWriter: SseWriter = (events, writing) => {
  const encoder = new TextEncoder();
  let ended = false;
  let release = noop;
  const finish = () => {
    ended = true;
    release();
    writing.onEnd?.();
  };
  const end = (controller: ReadableStreamDefaultController<Uint8Array>, last: string) => {
    finish();
    if (last !== "") controller.enqueue(encoder.encode(last));
    controller.close();
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      release = onStop(writing.stopping, (reason) => {
        if (ended) return;
        events.cancel(reason);
        try {
          end(controller, writing.errorEvent(reason));
        } catch {
          // The response is gone already (the client left as the server stopped): nothing to tell.
        }
      });
    },
    async pull(controller) {
      try {
        const value = await events.next();
        if (ended) return;
        if (value === undefined) end(controller, writing.finalEvent);
        else controller.enqueue(encoder.encode(withQueued(events, value)));
      } catch (thrown) {
        if (ended) return;
        end(controller, writing.errorEvent(thrown));
      }
    },
    cancel(reason) {
      if (!ended) finish();
      events.cancel(reason);
    },
  });
};
