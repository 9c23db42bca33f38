// Keep-alive events for a stream whose upstream is silent (a model thinking before its first token): Anthropic's
// own stream sends `event: ping` in such gaps, and Claude Code shows "waiting for API response" after ~20 s
// without a byte, as an idle proxy may close the connection. One interval timer per stream, cleared as it ends.
import type { ChunkSource } from "../routing/committed-stream.ts";

export interface KeepAlive {
  /** The framed event sent into a silence (Anthropic's ping). */
  event: string;
  /** A silence this long (at most twice this) gets one event, and one more per further interval. */
  everyMs: number;
}

/**
 * `events` with `keepAlive.event` sent whenever a read has waited through a whole timer interval with nothing
 * sent. Only after the first event (a ping never comes before Anthropic's message_start) and never inside one: the
 * source yields whole framed events. A read that lost to a ping is kept and handed to the next call.
 */
export function withKeepAlive(events: ChunkSource<string>, keepAlive: KeepAlive): ChunkSource<string> {
  let started = false;
  /** Something went out since the last tick. */
  let sent = false;
  /** A read of `events` not yet handed on (a ping answered the call that made it). */
  let pending: Promise<string | undefined> | undefined;
  /** Answers the waiting call with a ping instead. */
  let ping: (() => void) | undefined;
  const timer = setInterval(() => {
    if (started && !sent && ping) ping();
    sent = false;
  }, keepAlive.everyMs);
  const stop = () => clearInterval(timer);
  return {
    next() {
      pending ??= events.next();
      const current = pending;
      return new Promise((resolve, reject) => {
        let pinged = false;
        ping = () => {
          pinged = true;
          ping = undefined;
          resolve(keepAlive.event);
        };
        current.then(
          (value) => {
            if (pinged) return;
            ping = undefined;
            pending = undefined;
            started = true;
            sent = true;
            if (value === undefined) stop();
            resolve(value);
          },
          (error: unknown) => {
            if (pinged) return;
            ping = undefined;
            pending = undefined;
            stop();
            reject(error);
          },
        );
      });
    },
    queued() {
      if (pending) return undefined;
      const value = events.queued?.();
      if (value !== undefined) {
        // The writer takes the answer's first events this way, before its first wait.
        started = true;
        sent = true;
      }
      return value;
    },
    cancel(reason) {
      stop();
      events.cancel(reason);
    },
  };
}
