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
  const queue: T[] = [];
  let head = 0;
  /** No more input is read or translated (terminated, errored, cancelled or at the end of the body). */
  let ended = false;
  /** The transformer terminated or flushed: once the queue is read, the output is done. */
  let closed = false;
  let failure: { reason: unknown } | undefined;
  let tooLarge: Error | undefined;
  const end = (reason?: unknown) => {
    ended = true;
    reader.cancel(reason).catch(() => {});
  };
  const controller: TransformStreamDefaultController<T> = {
    desiredSize: 1,
    enqueue(chunk: T) {
      if (!closed && !failure) queue.push(chunk);
    },
    error(reason?: unknown) {
      if (closed || failure) return;
      failure = { reason };
      queue.length = 0;
      head = 0;
      end(reason);
    },
    terminate() {
      if (closed || failure) return;
      closed = true;
      end();
    },
  };
  const parser = createParser({
    // One event larger than this (an upstream streaming an endless line) ends the stream instead of memory.
    maxBufferSize: MAX_EVENT_BYTES,
    onEvent(event) {
      if (!ended) transformer.transform?.(event, controller);
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
        if (head < queue.length) {
          const value = queue[head++] as T;
          if (head === queue.length) {
            queue.length = 0;
            head = 0;
          }
          return { done: false, value };
        }
        if (failure) throw failure.reason;
        if (closed || ended) return { done: true };
        const { value, done } = await reader.read();
        if (done) {
          // A cancel also ends the read with done: the consumer is gone, there is nothing to flush to.
          if (ended) return { done: true };
          ended = true;
          try {
            await transformer.flush?.(controller);
          } catch (thrown) {
            // As in a TransformStream: a flush that throws errors the output for good.
            controller.error(thrown);
          }
          closed = true;
          continue;
        }
        try {
          parser.feed(decoder.decode(value, STREAMING));
        } catch (thrown) {
          // A transform that throws errors the output, as in a TransformStream; the body is not read further.
          controller.error(thrown);
        }
        if (tooLarge) controller.error(tooLarge);
      }
    },
    async cancel(reason) {
      ended = true;
      closed = true;
      queue.length = 0;
      head = 0;
      await reader.cancel(reason);
    },
  };
  return { getReader: () => pullReader };
}
