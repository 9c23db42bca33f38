// What a request holds while it is served, from admission until its answer is sent: a concurrency slot (per client
// key, or per client address with keys off), its share of the in-flight body budget, and its connection held open.
import { GatewayError } from "../api/errors.ts";
import type { ClientKey } from "../config/client-keys.ts";
import type { RequestTrace } from "../observe/trace.ts";
import type { Connections } from "../runtime/types.ts";

export const DEFAULT_MAX_CONCURRENT_PER_KEY = 64;
/** Generous for one machine's agents and scripts; a page of a browser opens at most 6 connections per host. */
export const DEFAULT_MAX_CONCURRENT_PER_ADDRESS = 256;
/** Bodies live as bytes, then as parsed text, then as what goes upstream: 2-4.4x this in memory
 * (bench/body-memory.ts). */
export const DEFAULT_MAX_BODY_BYTES_IN_FLIGHT = 64 * 1024 * 1024;

/** The 429 of a caller with `limit` requests in flight already (on this instance, or across the fleet). */
export function tooManyConcurrent(what: string, limit: number): GatewayError {
  return new GatewayError(
    `Too many concurrent requests for ${what} (limit ${limit}); retry when one finishes`,
    {
      status: 429,
      type: "rate_limit_error",
      code: "too_many_concurrent_requests",
      headers: { "retry-after": "1" },
    },
  );
}

/** Requests in flight per caller (a key's name or a client address). */
export class InFlightCounts {
  private readonly counts = new Map<string, number>();

  take(id: string, limit: number, what: string): void {
    const current = this.counts.get(id) ?? 0;
    if (current >= limit) throw tooManyConcurrent(what, limit);
    this.counts.set(id, current + 1);
  }

  give(id: string): void {
    const now = (this.counts.get(id) ?? 1) - 1;
    if (now <= 0) this.counts.delete(id);
    else this.counts.set(id, now);
  }
}

/** The bytes of request bodies that requests in flight hold, against one limit for the whole gateway. */
export class BodyBudget {
  private used = 0;
  constructor(readonly limit: number) {}

  /**
   * Takes `bytes` for a request already holding `held`. A request alone in the budget is always let through (its
   * body is bounded by max_body_bytes), so a limit below max_body_bytes cannot refuse a body forever.
   */
  take(bytes: number, held: number): void {
    if (this.used + bytes > this.limit && this.used > held) {
      throw new GatewayError("The gateway is receiving too many large requests at once; retry in a moment", {
        status: 503,
        type: "api_error",
        code: "server_busy",
        // No `connection: close`: Node's and Python's clients, still sending the body, would see a broken pipe
        // instead of this answer. The runtime reads and drops the rest of the body.
        headers: { "retry-after": "1" },
      });
    }
    this.used += bytes;
  }

  give(bytes: number): void {
    this.used -= bytes;
  }
}

/** The shared state admissions draw on; one per app. */
export interface AdmissionPool {
  counts: InFlightCounts;
  budget: BodyBudget;
}

/**
 * One admitted request. The handler returns; unless its answer is a stream that took over the hold
 * (`untilStreamEnds`), everything is given back then. `end` is idempotent.
 */
export class Admission {
  private bodyBytes = 0;
  private extended = false;
  private ended = false;
  /** Gives back the key's fleet-wide slot, once the key check took one. */
  private releaseShared: (() => void) | undefined;

  constructor(
    readonly key: ClientKey | undefined,
    private readonly pool: AdmissionPool,
    /** The concurrency slot taken (a key's name or a client address). */
    private readonly slot: string,
    private readonly request: Request,
    private readonly connections: Connections | undefined,
    /** What the request did, for its access-log line and metrics. */
    readonly trace: RequestTrace,
    /**
     * The key's configured concurrency (its max_concurrent, or the server's max_concurrent_per_key): held across
     * the instances when state is shared. The built-in default stays a per-instance guard, taken without Redis.
     */
    readonly sharedConcurrency?: number,
  ) {
    // From here the gateway is the one taking time: its own deadlines bound the request, not the idle timeout.
    connections?.holdOpen(request);
  }

  /** Reserves body bytes until the answer is sent (the request stays in memory for failover); 503 beyond it. */
  reserveBody(bytes: number): void {
    this.pool.budget.take(bytes, this.bodyBytes);
    this.bodyBytes += bytes;
  }

  /** Whether the key check should take a fleet-wide slot: the key has a configured limit and holds none yet. */
  get wantsSharedSlot(): boolean {
    return this.sharedConcurrency !== undefined && this.releaseShared === undefined && !this.ended;
  }

  /** The key check took a fleet-wide slot: given back with everything else. */
  holdShared(release: () => void): void {
    if (this.ended) release();
    else this.releaseShared = release;
  }

  /** The answer is a stream that outlives the handler: the returned function ends the hold (before its end). */
  untilStreamEnds(): () => void {
    this.extended = true;
    return () => this.end();
  }

  /** The handler returned its answer. */
  settle(): void {
    if (!this.extended) this.end();
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.pool.counts.give(this.slot);
    this.releaseShared?.();
    if (this.bodyBytes > 0) this.pool.budget.give(this.bodyBytes);
    this.connections?.releaseHold(this.request);
  }
}
