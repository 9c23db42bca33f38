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
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const state: PumpState<T> = {
    output: undefined,
    produced: 0,
    ended: false,
    settled: false,
    end(reason) {
      state.ended = true;
      reader.cancel(reason).catch(() => {});
    },
  };
  const controller = transformController(state);
  let failed: Error | undefined;
  const parser = createParser({
    // One event larger than this (an upstream streaming an endless line) ends the stream instead of memory.
    maxBufferSize: MAX_EVENT_BYTES,
    onEvent(event) {
      if (!state.ended) transformer.transform?.(event, controller);
    },
    // As EventSourceParserStream does: a line over the parser's buffer cap ends the stream, other parse errors
    // (a malformed line) are skipped.
    onError(error) {
      if (error.type === "max-buffer-size-exceeded") failed ??= error;
    },
  });
  return new ReadableStream<T>({
    start(stream) {
      state.output = stream;
    },
    async pull(stream) {
      // A read may hold no whole event (half a line) or only events that yield nothing: read on until
      // something is out, or the stream is over.
      const before = state.produced;
      while (state.produced === before && !state.ended) {
        const { value, done } = await reader.read();
        if (done) {
          // A cancel also ends the read with done: the consumer is gone, there is nothing to flush to.
          if (state.ended) return;
          state.ended = true;
          await transformer.flush?.(controller);
          if (!state.settled) stream.close();
          return;
        }
        try {
          parser.feed(decoder.decode(value, STREAMING));
        } catch (thrown) {
          // A transform that throws errors the stream, as in a TransformStream; the body is not read further.
          state.end(thrown);
          throw thrown;
        }
        if (failed) {
          state.end(failed);
          throw failed;
        }
      }
    },
    cancel(reason) {
      state.ended = true;
      return reader.cancel(reason);
    },
  });
}

/** What sseTranslated's stream and the transformer's controller share. */
interface PumpState<T> {
  output: ReadableStreamDefaultController<T> | undefined;
  /** Chunks enqueued so far: a pull ends once it has produced one. */
  produced: number;
  /** No more input is read or translated. */
  ended: boolean;
  /** Closed or errored by the transformer: nothing more may be enqueued or closed. */
  settled: boolean;
  end(reason?: unknown): void;
}

/** The controller a TransformStream would hand the transformer, over sseTranslated's output. */
function transformController<T>(state: PumpState<T>): TransformStreamDefaultController<T> {
  return {
    get desiredSize() {
      return state.output?.desiredSize ?? null;
    },
    enqueue(chunk: T) {
      state.produced += 1;
      state.output?.enqueue(chunk);
    },
    error(reason?: unknown) {
      state.settled = true;
      state.output?.error(reason);
      state.end(reason);
    },
    terminate() {
      state.settled = true;
      state.output?.close();
      state.end();
    },
  };
}
