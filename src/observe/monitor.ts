// The gateway's account of its own traffic: a trace per request, and what each finished trace is reported to
// (metrics, usage accounting, the access log).
import type { FailureKind, GatewayError } from "../api/errors.ts";
import type { LoadedConfig } from "../config/load.ts";
import type { Logger } from "../log/logger.ts";
import type { HealthStore, Target } from "../routing/health.ts";
import { writeAccessLog } from "./access-log.ts";
import { Metrics } from "./metrics.ts";
import { Recent } from "./recent.ts";
import { createRequestIds } from "./request-id.ts";
import { RequestTrace, type TraceSink } from "./trace.ts";
import { createMemoryUsageStore, type UsageStore } from "./usage.ts";

export interface MonitorOptions {
  config: LoadedConfig;
  health: HealthStore;
  logger: Logger;
  version: string;
  /** Wall clock, ms since the epoch (usage days, cooldowns). */
  clock: () => number;
  /** Usage accounting; in memory unless given. */
  usage?: UsageStore;
  /** A monotonic clock in ms for durations (performance.now unless given). */
  now?: () => number;
  newRequestId?: () => string;
}

export class Monitor implements TraceSink {
  readonly metrics: Metrics;
  readonly usage: UsageStore;
  readonly recent = new Recent();
  private readonly logger: Logger;
  private accessLog: boolean;
  private readonly clock: () => number;
  private readonly now: () => number;
  private readonly newRequestId: () => string;
  private requests = 0;
  private streams = 0;

  /** Requests and streams being served now. */
  inFlight(): { requests: number; streams: number } {
    return { requests: this.requests, streams: this.streams };
  }

  constructor(options: MonitorOptions) {
    this.logger = options.logger;
    this.accessLog = options.config.server.logging?.access !== false;
    this.clock = options.clock;
    this.now = options.now ?? (() => performance.now());
    this.newRequestId = options.newRequestId ?? createRequestIds();
    const usage = options.usage ?? createMemoryUsageStore();
    this.usage = usage;
    this.metrics = new Metrics({
      config: options.config,
      health: options.health,
      version: options.version,
      clock: options.clock,
      inFlight: () => this.inFlight(),
      tokens: () => usage.totals(),
    });
  }

  /** A reloaded config: the access log setting and the targets metrics list; counts and usage carry on. */
  reconfigure(config: LoadedConfig): void {
    this.accessLog = config.server.logging?.access !== false;
    this.metrics.reconfigure(config);
  }

  /** A request arrived. */
  start(method: string, path: string): RequestTrace {
    this.requests += 1;
    return new RequestTrace(this.newRequestId(), method, path, this.now(), this.now, this);
  }

  attempted(target: Target, ms: number, error: GatewayError | undefined): void {
    this.metrics.attempt(target, ms, error);
  }

  movedOn(from: Target, to: Target, reason: FailureKind): void {
    this.metrics.movedOn(from, to, reason);
    if (from.providerId !== to.providerId || from.model !== to.model) {
      const name = (target: Target) => `${target.providerId}/${target.model}`;
      this.recent.failover({ at: this.clock(), from: name(from), to: name(to), reason });
    }
  }

  committed(): void {
    this.streams += 1;
  }

  finished(trace: RequestTrace): void {
    this.requests -= 1;
    if (trace.streaming) this.streams -= 1;
    if (trace.quiet) {
      if (this.accessLog) writeAccessLog(this.logger, trace);
      return;
    }
    this.metrics.request(trace);
    if (trace.route !== undefined) this.recent.request(trace);
    const target = trace.target;
    if (target && trace.status < 400) {
      this.usage.record(trace.keyName ?? "", target.providerId, target.model, trace.usage, this.clock());
    }
    if (this.accessLog) writeAccessLog(this.logger, trace);
  }
}
