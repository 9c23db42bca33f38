// The one deadline primitive of routing (typed kinds, shared timer queues), the stream watchdog, an abortable sleep.
import { UpstreamTimeoutError } from "../api/errors.ts";

/**
 * Which wait ran out. One type for every deadline of an attempt, so the error a client sees is built in one place
 * (timeoutError) from the kind and the limit that applied, never decoded from a message.
 */
export type DeadlineKind = "headers" | "answer" | "first_content" | "next_chunk";

/** Thrown inside routing when a deadline passes; timeoutError turns it into the UpstreamTimeoutError clients see. */
export class DeadlineExceeded extends Error {
  constructor(
    readonly kind: DeadlineKind,
    readonly ms: number,
  ) {
    super(`${kind} deadline of ${ms} ms exceeded`);
    this.name = "DeadlineExceeded";
  }
}

const WHAT: Record<DeadlineKind, string> = {
  headers: "response headers",
  answer: "the whole answer",
  first_content: "first content",
  next_chunk: "the next chunk",
};

export function timeoutError(providerId: string, deadline: DeadlineExceeded): UpstreamTimeoutError {
  return new UpstreamTimeoutError(providerId, WHAT[deadline.kind], deadline.ms);
}

/** A pending deadline: a link in its duration's queue. */
export interface Deadline {
  expiresAt: number;
  onExpire: (() => void) | undefined;
  prev: Deadline | undefined;
  next: Deadline | undefined;
  queue: DeadlineQueue | undefined;
}

interface DeadlineQueue {
  ms: number;
  head: Deadline | undefined;
  tail: Deadline | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** fireQueue is running its due callbacks, which may schedule or cancel deadlines of this queue. */
  firing: boolean;
}

/**
 * Deadlines share timers: one per distinct duration, armed for the earliest entry of that duration. Entries of one
 * duration expire in the order they were added, so each duration is a FIFO list: adding and cancelling are O(1) and
 * allocate one small object, where a setTimeout per attempt cost a timer, its heap entry and a clearTimeout on the
 * hottest path (bench/RESULTS.md). A queue that empties clears its timer, so an idle gateway holds none.
 */
const queues = new Map<number, DeadlineQueue>();

export function scheduleDeadline(ms: number, onExpire: () => void): Deadline {
  // Whole milliseconds: a computed remainder (29996.78 ms) joins an existing queue instead of starting one.
  const capped = Math.min(Math.max(Math.ceil(ms), 0), MAX_TIMER_MS);
  let queue = queues.get(capped);
  if (!queue) {
    queue = { ms: capped, head: undefined, tail: undefined, timer: undefined, firing: false };
    queues.set(capped, queue);
  }
  const deadline: Deadline = {
    expiresAt: performance.now() + capped,
    onExpire,
    prev: queue.tail,
    next: undefined,
    queue,
  };
  if (queue.tail) queue.tail.next = deadline;
  else queue.head = deadline;
  queue.tail = deadline;
  // Only a new head needs a timer: otherwise one is armed for an entry due before this one. While the queue
  // fires, fireQueue re-arms for whatever is then at the head.
  if (queue.head === deadline && !queue.firing) armQueue(queue, capped);
  return deadline;
}

/** How many durations have pending deadlines (each holds one timer): for tests. */
export function deadlineQueueCount(): number {
  return queues.size;
}

export function cancelDeadline(deadline: Deadline): void {
  const queue = deadline.queue;
  if (!queue) return;
  unlink(queue, deadline);
  if (queue.head === undefined && !queue.firing) retire(queue);
}

/** An empty queue holds no timer and leaves the map: durations come and go with configs. */
function retire(queue: DeadlineQueue): void {
  if (queue.timer !== undefined) clearTimeout(queue.timer);
  queue.timer = undefined;
  if (queues.get(queue.ms) === queue) queues.delete(queue.ms);
}

function unlink(queue: DeadlineQueue, deadline: Deadline): void {
  if (deadline.prev) deadline.prev.next = deadline.next;
  else queue.head = deadline.next;
  if (deadline.next) deadline.next.prev = deadline.prev;
  else queue.tail = deadline.prev;
  deadline.prev = undefined;
  deadline.next = undefined;
  deadline.queue = undefined;
}

function armQueue(queue: DeadlineQueue, delay: number): void {
  queue.timer = setTimeout(() => fireQueue(queue), delay);
}

function fireQueue(queue: DeadlineQueue): void {
  queue.timer = undefined;
  queue.firing = true;
  const now = performance.now();
  let failure: { error: unknown } | undefined;
  // Timers may fire a fraction of a millisecond early; within that, an entry counts as due.
  while (queue.head !== undefined && queue.head.expiresAt <= now + 1) {
    const due = queue.head;
    const onExpire = due.onExpire;
    unlink(queue, due);
    due.onExpire = undefined;
    try {
      onExpire?.();
    } catch (error) {
      failure ??= { error };
    }
  }
  queue.firing = false;
  if (queue.head === undefined) retire(queue);
  else armQueue(queue, Math.max(1, Math.ceil(queue.head.expiresAt - now)));
  // A throwing callback surfaces as it would from its own timer, but only after the others ran and re-armed.
  if (failure) throw failure.error;
}

/** The longest delay setTimeout honours (about 24.8 days); config timeouts are capped to it. */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * One timer for a whole stream instead of one per chunk, and nothing allocated per chunk: `start` only moves the
 * expiry, and the timer, when it fires early, re-arms for what is left. A chunk every 20 ms against a 60 s idle
 * limit then costs no timer at all. On expiry it calls `onExpire`, which must end the pending read (cancel the
 * reader); the reader then sees `expired`.
 */
export function createWatchdog(onExpire: () => void) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let firesAt = 0;
  let expiresAt = 0;
  let waiting = false;
  let expired = false;

  function arm(ms: number) {
    if (timer !== undefined) clearTimeout(timer);
    firesAt = performance.now() + ms;
    // setTimeout takes at most 2^31-1 ms (longer fires after 1 ms); fire() re-arms for whatever is left.
    timer = setTimeout(fire, Math.min(ms, MAX_TIMER_MS));
  }

  function fire() {
    timer = undefined;
    if (!waiting) return; // Nothing waits: the next start arms again.
    const left = expiresAt - performance.now();
    if (left > 0) {
      arm(left);
      return;
    }
    waiting = false;
    expired = true;
    onExpire();
  }

  return {
    /** A wait of at most `ms` begins (one at a time: a stream reads one chunk at a time). */
    start(ms: number) {
      expiresAt = performance.now() + ms;
      waiting = true;
      expired = false;
      // A shorter limit than the armed one (the finish grace after a long idle limit) needs an earlier timer.
      if (timer === undefined || firesAt > expiresAt) arm(ms);
    },
    /** The wait ended; true when it ended because the limit passed. */
    end(): boolean {
      waiting = false;
      return expired;
    },
    stop() {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      waiting = false;
    },
  };
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    function onAbort() {
      clearTimeout(timer);
      reject(signal?.reason);
    }
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
