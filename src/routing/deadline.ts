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
