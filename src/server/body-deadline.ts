// Deadlines for receiving request bodies: one sweeping timer for all bodies being read, not a timer each.
// Nearly every body is already in when its handler starts and is read in microseconds; a timer (or a deadline
// queue entry) set and cleared per request cost a setTimeout/clearTimeout pair on the hot path, as the queue
// empties between requests. Here a read costs a set entry; a deadline fires between 1 and 1.25 times its length.

/** A body read past its deadline. */
export class BodyDeadlineExceeded extends Error {
  constructor() {
    super("request body deadline exceeded");
    this.name = "BodyDeadlineExceeded";
  }
}

interface Pending {
  /** The sweep count when the read began. */
  since: number;
  expire: () => void;
}

/** Sweeps a quarter-deadline apart: a read is late once four whole sweeps have passed since it began. */
const SWEEPS_PER_DEADLINE = 4;

export class BodyDeadlines {
  private readonly pending = new Set<Pending>();
  private readonly sweepMs: number;
  private sweeps = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(readonly timeoutMs: number) {
    this.sweepMs = Math.max(1, Math.ceil(timeoutMs / SWEEPS_PER_DEADLINE));
  }

  /** `read`'s outcome, or BodyDeadlineExceeded once the deadline passes (then `onExpire` runs). */
  within<T>(read: Promise<T>, onExpire: () => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry: Pending = {
        since: this.sweeps,
        expire: () => {
          reject(new BodyDeadlineExceeded());
          onExpire();
        },
      };
      this.pending.add(entry);
      // The timer runs only while reads are pending: an idle gateway holds none.
      this.timer ??= setTimeout(() => this.sweep(), this.sweepMs);
      read.then(
        (value) => {
          this.pending.delete(entry);
          resolve(value);
        },
        (error: unknown) => {
          this.pending.delete(entry);
          reject(error);
        },
      );
    });
  }

  private sweep(): void {
    this.timer = undefined;
    this.sweeps += 1;
    // A Set iterates in insertion order, which is the order reads began: stop at the first one still in time.
    for (const entry of this.pending) {
      if (this.sweeps - entry.since <= SWEEPS_PER_DEADLINE) break;
      this.pending.delete(entry);
      entry.expire();
    }
    if (this.pending.size > 0) this.timer = setTimeout(() => this.sweep(), this.sweepMs);
  }
}
