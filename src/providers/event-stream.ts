// The one reader of upstream event streams: SSE or NDJSON bytes -> events -> a translator's chunks, pulled.
//
// `getReader().read()` reads the body, decodes, splits events and runs the translator until an item is out: no
// ReadableStream, pipe or queue of its own per hop. The chain this replaced (body -> TextDecoderStream ->
// EventSourceParserStream -> translator) cost a pipe, promises and read results per hop and chunk, the largest
// items in a profile of streamed answers (bench/RESULTS.md). The translator is the object a TransformStream
// would take (transform, flush), with its controller: items enqueued before `terminate` are still read, and so are
// items enqueued before an `error` (a TransformStream's queue would drop them; here a whole read's events are
// translated at once, and what reaches the consumer must not depend on where the socket split the bytes).
//
// Failures, decided here and nowhere else: a body read that fails is the upstream cutting the stream
// (streamCutError), unless the attempt's signal aborted, whose reason is then what every read rejects with; a
// translator that throws something other than a GatewayError is our bug (translatorFailure). So reads reject
// only with a GatewayError or the signal's reason.
import { createParser, type EventSourceMessage } from "eventsource-parser";
import { streamCutError } from "../api/errors.ts";
import { redactText } from "../log/logger.ts";
import { translatorFailure } from "./errors.ts";
import type { PullReader } from "./types.ts";

export type { EventSourceMessage };

/** The largest single event (an SSE event, an NDJSON line) accepted from an upstream. */
export const MAX_EVENT_BYTES = 8 * 1024 * 1024;

/** How the body is split: Server-Sent Events, or newline-delimited JSON (one line, trimmed, per event). */
export type Framing = "sse" | "ndjson";

/** The event each framing hands the translator. */
export interface FramedEvent {
  sse: EventSourceMessage;
  ndjson: string;
}

export interface EventStreamOptions {
  providerId: string;
  /** The attempt's signal: once it aborted, reads reject with its reason. */
  signal: AbortSignal;
  /** The key sent upstream, kept out of the message of an error the translator builds from an event. */
  apiKey?: string | undefined;
}

/** What routing and the tests read: `getReader()` gives the one reader. */
export interface EventStream<T> {
  getReader(): PullReader<T>;
}

/**
 * The body's events through `translator`, read on demand. `body` null (a 2xx without one) reads as an empty body:
 * the translator's flush says whether that is a cut.
 */
export function readEventStream<F extends Framing, T>(
  body: ReadableStream<Uint8Array> | null,
  framing: F,
  translator: Transformer<FramedEvent[F], T>,
  options: EventStreamOptions,
): EventStream<T> {
  const reader = body?.getReader();
  const decoder = new TextDecoder();
  /** No more input is read or translated (terminated, errored, cancelled or at the end of the body). */
  let ended = false;
  const output = createOutput<T>(
    (thrown) => streamFailure(thrown, options),
    (reason) => {
      ended = true;
      reader?.cancel(reason).catch(() => {});
    },
  );
  const splitter = SPLITTERS[framing]((event) => {
    if (!ended) translator.transform?.(event, output.controller);
  });

  async function readBody(): Promise<{ done: boolean; value?: Uint8Array | undefined }> {
    if (!reader) return { done: true, value: undefined };
    try {
      return await reader.read();
    } catch (thrown) {
      output.controller.error(new BodyCut(thrown));
      return { done: true, value: undefined };
    }
  }

  async function flush(): Promise<void> {
    try {
      splitter.end(decoder.decode());
      ended = true;
      await translator.flush?.(output.controller);
    } catch (thrown) {
      // As in a TransformStream: a flush that throws errors the output for good.
      output.controller.error(thrown);
    }
    output.close();
  }

  const pullReader: PullReader<T> = {
    async read() {
      for (;;) {
        const next = output.take();
        if (next !== NOTHING) return { done: false, value: next };
        if (output.failure) throw output.failure.reason;
        if (output.closed || ended) return { done: true };
        const { value, done } = await readBody();
        if (done) {
          // A cancel or a failed read also ends with done: there is nothing to flush then.
          if (!ended && !output.failure) await flush();
          continue;
        }
        try {
          splitter.feed(decoder.decode(value, STREAMING));
        } catch (thrown) {
          // A transform that throws errors the output, as in a TransformStream; the body is not read further.
          output.controller.error(thrown);
        }
      }
    },
    readQueued() {
      const next = output.take();
      return next === NOTHING ? undefined : next;
    },
    async cancel(reason) {
      ended = true;
      output.close();
      output.clear();
      await reader?.cancel(reason);
    },
  };
  return { getReader: () => pullReader };
}

/** The one rule for what a stream's reads reject with. */
function streamFailure(thrown: unknown, { providerId, signal, apiKey }: EventStreamOptions): unknown {
  if (signal.aborted) return signal.reason;
  if (thrown instanceof BodyCut) return streamCutError(providerId, thrown.cause);
  const error = translatorFailure(providerId, thrown);
  // An in-stream error event may quote the key back, as an error status's body may (http.ts).
  if (apiKey) error.message = redactText(error.message, [apiKey]);
  return error;
}

/** The body stopped before its end: a failed read, or an event too large to hold. */
class BodyCut extends Error {
  constructor(cause: unknown) {
    super("the upstream body was cut", { cause });
  }
}

/** Each framing's splitter, typed by the event it emits. */
const SPLITTERS: { [F in Framing]: (emit: (event: FramedEvent[F]) => void) => Splitter } = {
  sse: sseSplitter,
  ndjson: ndjsonSplitter,
};

/** decode()'s options, shared: one object less per chunk. */
const STREAMING: TextDecodeOptions = { stream: true };

interface Splitter {
  feed(text: string): void;
  /** The body ended; `rest` is what the decoder still held. */
  end(rest: string): void;
}

/** SSE on eventsource-parser (a well-kept spec-compliant parser). */
function sseSplitter(emit: (event: EventSourceMessage) => void): Splitter {
  let oversized: Error | undefined;
  const parser = createParser({
    // One event larger than this (an upstream streaming an endless line) ends the stream instead of memory.
    maxBufferSize: MAX_EVENT_BYTES,
    onEvent: emit,
    // As EventSourceParserStream does: a line over the cap ends the stream, other parse errors (a malformed
    // line) are skipped.
    onError(error) {
      if (error.type === "max-buffer-size-exceeded") oversized ??= error;
    },
  });
  return {
    feed(text) {
      parser.feed(text);
      if (oversized) throw new BodyCut(oversized);
    },
    // An event still missing its blank line when the body ends is incomplete and dropped, as the SSE spec says.
    end(rest) {
      if (rest) parser.feed(rest);
    },
  };
}

/**
 * NDJSON: one event per non-empty line, trimmed. A line (or a UTF-8 character) split across reads is joined, and
 * a last line without "\n" is kept.
 */
function ndjsonSplitter(emit: (line: string) => void): Splitter {
  let buffer = "";
  function emitLines(): void {
    let start = 0;
    let newline = buffer.indexOf("\n");
    while (newline !== -1) {
      const line = buffer.slice(start, newline).trim();
      start = newline + 1;
      if (line !== "") emit(line);
      newline = buffer.indexOf("\n", start);
    }
    buffer = start === 0 ? buffer : buffer.slice(start);
    if (buffer.length > MAX_EVENT_BYTES) {
      throw new BodyCut(new Error(`an NDJSON line exceeded ${MAX_EVENT_BYTES} bytes`));
    }
  }
  return {
    feed(text) {
      buffer += text;
      emitLines();
    },
    end(rest) {
      buffer += rest;
      emitLines();
      const line = buffer.trim();
      buffer = "";
      if (line !== "") emit(line);
    },
  };
}

const NOTHING: unique symbol = Symbol("nothing queued");

/**
 * The translator's output between reads: a TransformStream controller over a plain queue. `end` stops the input
 * (terminate, error). Items enqueued before terminate, or before an error, are still taken.
 */
function createOutput<T>(classify: (thrown: unknown) => unknown, end: (reason?: unknown) => void) {
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
        const failure = classify(reason);
        output.failure = { reason: failure };
        end(failure);
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
