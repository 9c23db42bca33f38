// A committed stream of canonical frames as the client's dialect sees it: its SSE events, framed, in order.
import type { CanonicalUsage } from "../canonical/response.ts";
import type { StreamFrame } from "../canonical/stream.ts";
import type { ChunkSource } from "../routing/committed-stream.ts";

export interface StreamRenderer {
  /** The SSE events (each framed whole) for one frame: none, one or several. */
  render(frame: StreamFrame): string[];
  /** What follows the last frame of a complete answer (a usage report). */
  end(): string[];
}

/** Where a stream's usage goes as it passes (the request's trace): the last usage event holds the totals. */
export interface UsageNote {
  usage: CanonicalUsage | undefined;
}

export function renderedSource(
  frames: ChunkSource<StreamFrame>,
  renderer: StreamRenderer,
  note?: UsageNote,
): ChunkSource<string> {
  let pending: string[] = [];
  let head = 0;
  let ended = false;
  const render = (frame: StreamFrame) => {
    if (note) for (const event of frame.events) if (event.type === "usage") note.usage = event.usage;
    return renderer.render(frame);
  };
  return {
    async next() {
      for (;;) {
        if (head < pending.length) return pending[head++];
        if (ended) return undefined;
        const frame = await frames.next();
        head = 0;
        if (frame === undefined) {
          ended = true;
          pending = renderer.end();
        } else pending = render(frame);
      }
    },
    queued() {
      for (;;) {
        if (head < pending.length) return pending[head++];
        if (ended) return undefined;
        const frame = frames.queued?.();
        if (frame === undefined) return undefined;
        head = 0;
        pending = render(frame);
      }
    },
    cancel: (reason) => frames.cancel(reason),
  };
}
