// Bun's "direct" stream as the SSE writer: one write loop per answer into the response, where a standard stream
// costs a pull, a queue entry and a read into the response sink per event (~3.5 µs of 25 per streamed chunk,
// bench/RESULTS.md). The same bytes and endings as the standard writer (sse-writer.ts).
import { onStop, type SseWriter, withQueued } from "./sse-writer.ts";

/** The controller of Bun's direct ReadableStream: writes go straight to the response, without a queue. */
interface DirectController {
  write(data: string | BufferSource): number | Promise<number>;
  flush(): number | Promise<number>;
  close(error?: Error): void;
}

const noop = () => {};

export const bunSseWriter: SseWriter = (events, writing) => {
  // The client left, or the server stopped the stream: a pending read then ends with nothing, and nothing more is
  // written.
  let ended = false;
  let release = noop;
  const finish = () => {
    ended = true;
    release();
    writing.onEnd?.();
  };
  const source = {
    type: "direct",
    async pull(controller: DirectController) {
      release = onStop(writing.stopping, (reason) => {
        if (ended) return;
        finish();
        events.cancel(reason);
        try {
          controller.write(writing.errorEvent(reason));
          controller.close();
        } catch {
          // The response is gone already (the client left as the server stopped): nothing to tell.
        }
      });
      try {
        if (ended) return;
        // What is ready now is written before the first wait: Bun then sends it with the status line and headers
        // in one packet, where after a wait the headers leave alone (strace: one sendto per stream less).
        const ready = events.queued?.();
        if (ready !== undefined) {
          const written = controller.write(withQueued(events, ready));
          const flushed = controller.flush();
          if (typeof written !== "number") await written;
          if (typeof flushed !== "number") await flushed;
        }
        for (;;) {
          const value = await events.next();
          if (ended) return;
          if (value === undefined) {
            finish();
            if (writing.finalEvent !== "") controller.write(writing.finalEvent);
            controller.close();
            return;
          }
          // A promise means the client reads slower than the upstream writes: waiting for it is the backpressure
          // that holds the upstream read. The flush sends the event now, whatever the sink's buffering.
          const written = controller.write(withQueued(events, value));
          if (typeof written !== "number") await written;
          const flushed = controller.flush();
          if (typeof flushed !== "number") await flushed;
        }
      } catch (thrown) {
        if (ended) return;
        finish();
        controller.write(writing.errorEvent(thrown));
        controller.close();
      }
    },
    cancel(reason?: unknown) {
      if (!ended) finish();
      events.cancel(reason);
    },
  };
  return new ReadableStream(source as unknown as UnderlyingDefaultSource<Uint8Array>);
};
