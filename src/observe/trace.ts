// One request as the gateway saw it: who asked, what answered, where the time went, what it used. Filled in as the
// request runs (the gate, routing through RoutingObserver, the serving code), reported once when it ends.
import type { FailureKind, GatewayError } from "../api/errors.ts";
import type { CanonicalUsage } from "../canonical/response.ts";
import type { Target } from "../routing/health.ts";
import type { RoutingObserver } from "../routing/types.ts";

/** What a trace reports to: metrics, usage accounting and the access log (monitor.ts). */
export interface TraceSink {
  /** One attempt ended after `ms` waiting on the upstream; `error` undefined when it answered. */
  attempted(target: Target, ms: number, error: GatewayError | undefined): void;
  /** The attempt on `to` followed a failure of `from` (the same target: a retry; another: a failover). */
  movedOn(from: Target, to: Target, reason: FailureKind): void;
  /** A stream reached its commit point. */
  committed(): void;
  /** The request is over (its answer sent, or its stream ended). */
  finished(trace: RequestTrace): void;
}

export class RequestTrace implements RoutingObserver {
  /** The caller's client key name (never the key); undefined with client keys off. */
  keyName: string | undefined;
  /** The client dialect, once a dialect route took the request. */
  dialect: string | undefined;
  /** The provider id or rotation name the request was routed over. */
  route: string | undefined;
  /** The target that answered. */
  target: Target | undefined;
  attempts = 0;
  /** Time spent waiting on upstreams: every attempt, and a committed stream's reads. */
  upstreamMs = 0;
  /** From arrival to the commit point of a stream (its first content). */
  firstTokenMs: number | undefined;
  usage: CanonicalUsage | undefined;
  status = 0;
  /** The error code the request ended with (its HTTP error, or a stream's in-band one). */
  errorCode: string | undefined;
  streaming = false;
  /** A monitoring poll (health, metrics, dashboard data): logged at debug, not info. */
  quiet = false;
  /** Set once the x-request-id header went out with the answer's own headers. */
  idSent = false;
  /** The last attempt's failure, until the next attempt (a retry or failover from it). */
  private failed: { target: Target; kind: FailureKind } | undefined;
  private done = false;

  constructor(
    readonly id: string,
    readonly method: string,
    readonly path: string,
    readonly startedAt: number,
    private readonly now: () => number,
    private readonly sink: TraceSink,
  ) {}

  mark(): number {
    return this.now();
  }

  attempted(target: Target, since: number, error: GatewayError | undefined): void {
    const ms = this.now() - since;
    this.attempts += 1;
    this.upstreamMs += ms;
    if (this.failed) this.sink.movedOn(this.failed.target, target, this.failed.kind);
    this.failed = error ? { target, kind: error.kind } : undefined;
    this.sink.attempted(target, ms, error);
  }

  broke(target: Target, error: GatewayError): void {
    this.failed = { target, kind: error.kind };
  }

  waited(since: number): void {
    this.upstreamMs += this.now() - since;
  }

  /** A stream reached its commit point and is about to be sent. */
  committed(): void {
    this.streaming = true;
    this.firstTokenMs = this.now() - this.startedAt;
    this.sink.committed();
  }

  /** A committed stream ended with an in-band error event instead of its whole answer. */
  failedInBand(code: string | null): void {
    this.errorCode = code ?? "stream_error";
  }

  /** Ends the request (once, whoever calls first): its status and, for an error, its code. */
  finish(status: number, errorCode?: string | null): void {
    if (this.done) return;
    this.done = true;
    this.status = status;
    if (errorCode) this.errorCode = errorCode;
    this.durationMs = this.now() - this.startedAt;
    this.sink.finished(this);
  }

  /** From arrival to the end of the answer (a stream's last byte); set by finish. */
  durationMs = 0;

  get finished(): boolean {
    return this.done;
  }
}
