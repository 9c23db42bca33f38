// A committed stream's life after its commit point: the idle watchdog, a clean finish, and a cut (continued
// elsewhere when the route allows, else an in-band error).
import { GatewayError } from "../api/errors.ts";
import { finishOf, type StreamFrame } from "../canonical/stream.ts";
import { type OpenedStream, release } from "./commit-point.ts";
import { continueCut, createTranscript, type StreamContext } from "./continuation.ts";
import { createWatchdog, DeadlineExceeded, timeoutError } from "./deadline.ts";
import { asGatewayError } from "./failures.ts";
import { type AttemptOutcome, recordOutcome } from "./outcome.ts";

/** After the answer is complete, how long to wait for a trailing usage chunk and [DONE] before ending it ourselves. */
export const FINISH_GRACE_MS = 2_000;

/**
 * A committed answer, pulled one frame at a time by whoever renders it for the client (the server's SSE writer). A
 * plain pull instead of a ReadableStream of its own: one stream hop less for every chunk of every stream.
 */
export interface ChunkSource<T = StreamFrame> {
  /** The next item; undefined once the answer is complete or the client left. Rejects with a cut's error. */
  next(): Promise<T | undefined>;
  /**
   * The next item if one is ready without waiting (already read from the upstream), else undefined: `next()` then
   * waits, and is the one that sees an end, a cut or the idle limit.
   */
  queued?(): T | undefined;
  /** The client left: stop reading and release the upstream. */
  cancel(reason?: unknown): void;
}

/** What one watched read gave. */
type Read = { kind: "frame"; item: StreamFrame } | { kind: "end" } | { kind: "failed"; error: GatewayError };

type Watchdog = ReturnType<typeof createWatchdog>;

/** Reads the next frame under the idle limit (or, once the answer is complete, the finish grace). */
async function readWatched(source: OpenedStream, watchdog: Watchdog, context: StreamContext): Promise<Read> {
  const providerId = source.target.providerId;
  const wait = source.completion.complete ? FINISH_GRACE_MS : source.deadlines.idleMs;
  const observer = context.deps.observer;
  const since = observer?.mark() ?? 0;
  watchdog.start(wait);
  try {
    // Adapters reject a read only with a GatewayError (a cut is streamCutError) or, once aborted, the abort's reason.
    const { value, done } = await source.reader.read();
    observer?.waited(since);
    if (watchdog.end()) throw new DeadlineExceeded("next_chunk", wait);
    if (done) {
      watchdog.stop();
      return { kind: "end" };
    }
    return { kind: "frame", item: value };
  } catch (thrown) {
    const expired = watchdog.end() || thrown instanceof DeadlineExceeded;
    watchdog.stop();
    source.reader.cancel().catch(() => {});
    const error = expired
      ? timeoutError(providerId, new DeadlineExceeded("next_chunk", wait))
      : asGatewayError(thrown, providerId, context.deps.redact);
    return { kind: "failed", error };
  }
}

function settle(context: StreamContext, source: OpenedStream, outcome: AttemptOutcome): void {
  const provider = context.deps.providers[source.target.providerId];
  if (provider) recordOutcome(context.deps, context.route, provider, source.target, outcome);
}

/** The error a client sees in-band when a committed stream cannot be completed. */
function cutError(cause: GatewayError): GatewayError {
  return new GatewayError(`The stream was interrupted before the answer was complete: ${cause.message}`, {
    status: cause.status,
    type: cause.type,
    code: cause.code ?? "stream_interrupted",
    kind: cause.kind,
  });
}

export function committedStream(context: StreamContext, first: OpenedStream): ChunkSource {
  const { clientSignal, deps } = context;
  const transcript = createTranscript(context);
  let source = first;
  /** No more chunks: the answer ended, a cut could not be continued, or the client left. */
  let over = false;
  // Ends the pending read of whichever source is current: the read then returns and sees the expiry.
  const watchdog = createWatchdog(() => release(source));
  const left = () => over || clientSignal.aborted;

  /** The next frame for the client; undefined once the answer is over (or the client left); throws a cut. */
  async function next(): Promise<StreamFrame | undefined> {
    while (!over) {
      const queued = source.queue.shift();
      if (queued) return transcript.deliver(queued);
      const read = await readWatched(source, watchdog, context);
      // The client left while the read was pending: nobody reads this answer, and the upstream is not to blame.
      if (left()) return stop(undefined);
      if (read.kind === "frame") {
        if (finishOf(read.item)) source.completion.complete = true;
        return transcript.deliver(read.item);
      }
      // Ended, or only the trailer (usage, [DONE]) after a complete answer was late or broken.
      if (read.kind === "end" || source.completion.complete) {
        settle(context, source, { kind: "success" });
        over = true;
        return undefined;
      }
      settle(context, source, { kind: "failure", error: read.error, keySource: source.keySource });
      deps.observer?.broke(source.target, read.error);
      deps.logger.warn("stream broke after commit", {
        provider: source.target.providerId,
        model: source.target.model,
        reason: read.error.message,
      });
      // Only text can be continued: a cut before any (mid-thinking) would send an empty prefill, which providers
      // refuse, and that refusal would be remembered against a target that can continue text.
      const resumed =
        transcript.continuable && transcript.text !== ""
          ? await continueCut(context, source.target, transcript.text).catch(() => undefined)
          : undefined;
      if (left()) return stop(resumed);
      if (!resumed) {
        over = true;
        throw cutError(read.error);
      }
      transcript.resumed();
      source = resumed;
    }
    return undefined;
  }

  /** The client is gone: end whatever is still open. */
  function stop(pending: OpenedStream | undefined): undefined {
    over = true;
    watchdog.stop();
    if (pending) release(pending);
    release(source);
    return undefined;
  }

  /** A frame the current source holds already: no wait, so no watchdog; ends and cuts are left to next(). */
  function queued(): StreamFrame | undefined {
    if (left()) return undefined;
    const held = source.queue.shift() ?? source.reader.readQueued?.();
    if (held === undefined) return undefined;
    if (finishOf(held)) source.completion.complete = true;
    return transcript.deliver(held);
  }

  return {
    next,
    queued,
    cancel(reason) {
      over = true;
      watchdog.stop();
      source.controller.abort();
      source.reader.cancel(reason).catch(() => {});
    },
  };
}
