// Server-Sent Events decoding for upstream streams, on eventsource-parser (a well-kept spec-compliant parser).
import { createParser, type EventSourceMessage } from "eventsource-parser";

export type { EventSourceMessage };

/** Bytes of an SSE body -> its events, as they arrive. */
export function sseEvents(body: ReadableStream<Uint8Array>): ReadableStream<EventSourceMessage> {
  return sseTranslated(body, {
    transform(event, controller) {
      controller.enqueue(event);
    },
  });
}

/**
 * Bytes of an SSE body -> `transformer`'s output, in one stream that decodes, parses and translates in its own
 * pull. The chain it replaces (body -> TextDecoderStream -> EventSourceParserStream -> translator) cost a pipe,
 * promises and read results per hop and chunk, the largest items in a profile of streamed answers. The
 * transformer is the same object a TransformStream would take, with the same controller semantics.
 */
/** decode()'s options, shared: one object less per chunk. */
const STREAMING: TextDecodeOptions = { stream: true };

/** The largest single SSE event accepted from an upstream. */
export const MAX_EVENT_BYTES = 8 * 1024 * 1024;

export function sseTranslated<T>(
  body: ReadableStream<Uint8Array>,
  transformer: Transformer<EventSourceMessage, T>,
): ReadableStream<T> {
  const pump = ssePull(body, transformer).getReader();
  return new ReadableStream<T>({
    async pull(stream) {
      const { value, done } = await pump.read();
      if (done) stream.close();
      else stream.enqueue(value as T);
    },
    cancel: (reason) => pump.cancel(reason),
  });
}

/** What a consumer reads one item at a time: a ReadableStreamDefaultReader is one. */
export interface PullReader<T> {
  read(): Promise<{ done: false; value: T } | { done: true; value?: undefined }>;
  cancel(reason?: unknown): Promise<void>;
}

/**
 * sseTranslated without a ReadableStream of its own: `getReader()` gives the one reader, whose `read()` decodes,
 * parses and translates until an item is out. For a consumer that only reads (routing's commit point), this saves
 * the stream's queue, pull promise and read request for every chunk of every stream. Semantics are a
 * TransformStream's: items enqueued before `terminate` are still read, an `error` drops what was not yet read.
 */
export function ssePull<T>(
  body: ReadableStream<Uint8Array>,
  transformer: Transformer<EventSourceMessage, T>,
): { getReader(): PullReader<T> } {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  /** No more input is read or translated (terminated, errored, cancelled or at the end of the body). */
  let ended = false;
  let tooLarge: Error | undefined;
  const output = createOutput<T>((reason) => {
    ended = true;
    reader.cancel(reason).catch(() => {});
  });
  const parser = createParser({
    // One event larger than this (an upstream streaming an endless line) ends the stream instead of memory.
    maxBufferSize: MAX_EVENT_BYTES,
    onEvent(event) {
      if (!ended) transformer.transform?.(event, output.controller);
    },
    // As EventSourceParserStream does: a line over the parser's buffer cap ends the stream, other parse errors
    // (a malformed line) are skipped.
    onError(error) {
      if (error.type === "max-buffer-size-exceeded") tooLarge ??= error;
    },
  });
  const pullReader: PullReader<T> = {
    async read() {
      for (;;) {
        const next = output.take();
        if (next !== NOTHING) return { done: false, value: next };
        if (output.failure) throw output.failure.reason;
        if (output.closed || ended) return { done: true };
        const { value, done } = await reader.read();
        if (done) {
          // A cancel also ends the read with done: the consumer is gone, there is nothing to flush to.
          if (ended) return { done: true };
          ended = true;
          try {
            await transformer.flush?.(output.controller);
          } catch (thrown) {
            // As in a TransformStream: a flush that throws errors the output for good.
            output.controller.error(thrown);
          }
          output.close();
          continue;
        }
        try {
          parser.feed(decoder.decode(value, STREAMING));
        } catch (thrown) {
          // A transform that throws errors the output, as in a TransformStream; the body is not read further.
          output.controller.error(thrown);
        }
        if (tooLarge) output.controller.error(tooLarge);
      }
    },
    async cancel(reason) {
      ended = true;
      output.close();
      output.clear();
      await reader.cancel(reason);
    },
  };
  return { getReader: () => pullReader };
}

const NOTHING: unique symbol = Symbol("nothing queued");

/**
 * The translator's output between reads: a TransformStream controller over a plain queue. `end` stops the input
 * (terminate, error). Items enqueued before terminate are still taken; an error drops what was not taken.
 */
function createOutput<T>(end: (reason?: unknown) => void) {
  const queue: T[] = [];
  let head = 0;
  const output = {
    closed: false,
    failure: undefined as { reason: unknown } | undefined,
    controller: {
      desiredSize: 1,
      enqueue(chunk: T) {
        if (!output.closed && !output.failure) queue.push(chunk);
      },
      error(reason?: unknown) {
        if (output.closed || output.failure) return;
        output.failure = { reason };
        output.clear();
        end(reason);
      },
      terminate() {
        if (output.closed || output.failure) return;
        output.closed = true;
        end();
      },
    } as TransformStreamDefaultController<T>,
    /** The next queued item, or NOTHING. */
    take(): T | typeof NOTHING {
      if (head >= queue.length) return NOTHING;
      const value = queue[head++] as T;
      if (head === queue.length) output.clear();
      return value;
    },
    close() {
      output.closed = true;
    },
    clear() {
      // Emptied in place: the queue drains after nearly every read, and a new array each time is garbage.
      queue.length = 0;
      head = 0;
    },
  };
  return output;
}
