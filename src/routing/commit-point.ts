// The stream commit point: read until the first content, holding role and empty chunks back.
import { UpstreamError } from "../api/errors.ts";
import { finishOf, frameHasContent, type StreamFrame } from "../canonical/stream.ts";
import type { KeySource, PullReader } from "../providers/types.ts";
import { cancelDeadline, DeadlineExceeded, scheduleDeadline } from "./deadline.ts";
import type { Target } from "./health.ts";
import type { Deadlines } from "./timeouts.ts";

/** Whether the upstream said the answer is complete: after that, only a trailer (usage) may still come. */
export interface Completion {
  complete: boolean;
}

/** An upstream stream that has reached its first content: ready to feed the client. */
export interface OpenedStream {
  target: Target;
  /** Whose key the stream was asked with: a failure's meaning for health depends on it. */
  keySource: KeySource;
  reader: PullReader<StreamFrame>;
  /** Aborting it ends the upstream call. */
  controller: AbortController;
  deadlines: Deadlines;
  /** Frames read before the commit point, not yet given to the client. */
  queue: StreamFrame[];
  completion: Completion;
}

const noop = () => {};

/** Ends an opened stream that nobody will read: the upstream call and its body. */
export function release(stream: OpenedStream): void {
  stream.controller.abort();
  stream.reader.cancel().catch(noop);
}

/**
 * Reads until the first content (or a complete answer) arrives. This is the commit point: until it returns, a
 * failure is invisible to the client and the router may try another target. Throws DeadlineExceeded
 * ("first_content") when nothing shows within the deadline, however many role-only or empty chunks come first.
 */
export async function awaitFirstContent(
  stream: Omit<OpenedStream, "queue" | "completion">,
): Promise<OpenedStream> {
  const { reader, controller, deadlines, target } = stream;
  const queue: StreamFrame[] = [];
  const completion: Completion = { complete: false };
  const ms = deadlines.firstContentMs;
  // The deadline ends the pending read (abort, cancel); the loop then reports the expiry.
  let expired = false;
  const deadline = scheduleDeadline(ms, () => {
    expired = true;
    controller.abort();
    reader.cancel().catch(noop);
  });
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (expired) throw new DeadlineExceeded("first_content", ms);
      if (done) {
        if (completion.complete) return { ...stream, queue, completion };
        throw new UpstreamError(
          target.providerId,
          `Provider '${target.providerId}' ended the stream before sending any content`,
          { status: 502, type: "api_error", code: "stream_cut", kind: "transient" },
        );
      }
      queue.push(value);
      if (finishOf(value)) completion.complete = true;
      if (completion.complete || frameHasContent(value)) return { ...stream, queue, completion };
    }
  } catch (thrown) {
    throw expired ? new DeadlineExceeded("first_content", ms) : thrown;
  } finally {
    cancelDeadline(deadline);
  }
}
