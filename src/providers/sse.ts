// Server-Sent Events decoding for upstream streams, on eventsource-parser (a well-kept spec-compliant parser).
import type { EventSourceMessage } from "eventsource-parser";
import { EventSourceParserStream } from "eventsource-parser/stream";

export type { EventSourceMessage };

/** Bytes of an SSE body -> its events, as they arrive. */
export function sseEvents(body: ReadableStream<Uint8Array>): ReadableStream<EventSourceMessage> {
  return body.pipeThrough(textDecoder()).pipeThrough(new EventSourceParserStream());
}

/** A UTF-8 decoder stream typed for byte bodies (the DOM lib types its input as BufferSource, wider than a body). */
export function textDecoder(): TransformStream<Uint8Array, string> {
  return new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>;
}
