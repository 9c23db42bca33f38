// Small timing helpers for attempts: a race against a deadline, and a sleep that an abort ends early.

/** Thrown inside routing when a watchdog fires; turned into an UpstreamTimeoutError by the caller. */
export class DeadlineExceeded extends Error {
  constructor(readonly what: string) {
    super(`${what} deadline exceeded`);
    this.name = "DeadlineExceeded";
  }
}

/**
 * Resolves with `work`, or rejects with DeadlineExceeded after `ms` (then calls onTimeout). One promise and one
 * timer, no Promise.race: this runs for every attempt and every streamed chunk.
 */
export function withDeadline<T>(
  work: Promise<T>,
  ms: number,
  what: string,
  onTimeout: () => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Reject first: onTimeout aborts the work, whose own rejection must not win (a settled promise ignores it).
      reject(new DeadlineExceeded(what));
      onTimeout();
    }, ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/**
 * One timer for a whole stream instead of one per chunk, and nothing allocated per chunk: `start` only moves the
 * expiry, and the timer, when it fires early, re-arms for what is left. A chunk every 20 ms against a 60 s idle
 * limit then costs no timer at all. On expiry it calls `onExpire`, which must end the pending read (cancel the
 * reader); the reader then sees `expired`.
 */
/** The longest delay setTimeout honours (about 24.8 days); config timeouts are capped to it. */
export const MAX_TIMER_MS = 2_147_483_647;

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
