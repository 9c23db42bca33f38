// What the dashboard shows of the last while: request and error counts, the latest requests' durations (for
// percentiles) and the latest failovers. Fixed-size: a ring of numbers and a short list.
import type { RequestTrace } from "./trace.ts";

export interface FailoverNote {
  /** ms since the epoch. */
  at: number;
  from: string;
  to: string;
  reason: string;
}

export interface Percentiles {
  count: number;
  p50: number;
  p90: number;
  p99: number;
}

const RING = 1024;
const FAILOVERS = 20;

function percentilesOf(values: Float64Array): Percentiles {
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) =>
    sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
  return { count: sorted.length, p50: at(0.5), p90: at(0.9), p99: at(0.99) };
}

export class Recent {
  /** Requests that reached a route, and those of them that failed (an error status, or a stream's in-band error). */
  requests = 0;
  errors = 0;
  private readonly durations = new Float64Array(RING);
  private readonly overheads = new Float64Array(RING);
  private filled = 0;
  private next = 0;
  private readonly failovers: FailoverNote[] = [];

  request(trace: RequestTrace): void {
    this.requests += 1;
    if (trace.status >= 400 || trace.errorCode !== undefined) this.errors += 1;
    this.durations[this.next] = trace.durationMs;
    this.overheads[this.next] = Math.max(0, trace.durationMs - trace.upstreamMs);
    this.next = (this.next + 1) % RING;
    if (this.filled < RING) this.filled += 1;
  }

  failover(note: FailoverNote): void {
    this.failovers.push(note);
    if (this.failovers.length > FAILOVERS) this.failovers.shift();
  }

  /** Over the latest requests (up to 1024), in ms. */
  latency(): { total: Percentiles; overhead: Percentiles } {
    return {
      total: percentilesOf(this.durations.subarray(0, this.filled)),
      overhead: percentilesOf(this.overheads.subarray(0, this.filled)),
    };
  }

  /** Newest first. */
  lastFailovers(): FailoverNote[] {
    return [...this.failovers].reverse();
  }
}
