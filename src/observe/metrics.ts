// The Prometheus metrics: requests, attempts, retries, failovers, latencies, tokens, target health and what is in
// flight, counted on the hot path as plain numbers (tally.ts) and written by prom-client when scraped (exposition.ts).
// Label values are ids from the config, enums and HTTP statuses; model names, which a client may choose, are bounded
// (label-bound.ts). Never a key, a request id or free text.
import type { Registry } from "prom-client";
import type { FailureKind, GatewayError } from "../api/errors.ts";
import type { LoadedConfig } from "../config/load.ts";
import type { HealthStore, Target } from "../routing/health.ts";
import { LabelBound } from "./label-bound.ts";
import { HistogramTally, Tally } from "./tally.ts";
import type { RequestTrace } from "./trace.ts";
import type { TokenTotals } from "./usage.ts";

/** Upstream answers take from milliseconds (a local model's first token) to minutes (a long completion). */
const LATENCY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
/** The gateway's own share is sub-millisecond when all is well; the upper buckets catch retry waits. */
const OVERHEAD_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 0.5, 2.5, 10];
/** Model names kept as label values beyond those the config lists; more are counted as "other". */
const MAX_EXTRA_MODELS = 50;

export interface MetricsSources {
  config: LoadedConfig;
  health: HealthStore;
  version: string;
  /** Requests and streams in flight now. */
  inFlight: () => { requests: number; streams: number };
  /** Tokens used since start, per key, provider and model. */
  tokens: () => Iterable<TokenTotals>;
  /** Wall clock (ms since the epoch), for cooldowns' remaining time. */
  clock: () => number;
}

/** The targets the config names: their model names are always kept as label values. */
function configuredModels(config: LoadedConfig): Set<string> {
  const models = new Set<string>();
  for (const provider of Object.values(config.providers)) {
    for (const model of provider.models ?? []) models.add(model.name);
  }
  for (const rotation of Object.values(config.rotations)) {
    for (const member of rotation.providers) for (const model of member.models) models.add(model.name);
  }
  return models;
}

/** What the hot path counts, read by the exposition when scraped. */
export interface MetricsTallies {
  requests: Tally;
  attempts: Tally;
  retries: Tally;
  failovers: Tally;
  upstream: HistogramTally;
  firstToken: HistogramTally;
  overhead: HistogramTally;
  duration: HistogramTally;
}

export class Metrics {
  private registry: Promise<Registry> | undefined;
  private readonly tallies: MetricsTallies = {
    requests: new Tally(5),
    attempts: new Tally(3),
    retries: new Tally(3),
    failovers: new Tally(3),
    upstream: new HistogramTally(2, LATENCY_BUCKETS),
    firstToken: new HistogramTally(2, LATENCY_BUCKETS),
    overhead: new HistogramTally(1, OVERHEAD_BUCKETS),
    duration: new HistogramTally(2, LATENCY_BUCKETS),
  };
  private readonly models: LabelBound;

  /** The targets the health gauges list come from the config in force. */
  reconfigure(config: LoadedConfig): void {
    this.sources.config = config;
  }

  constructor(private readonly sources: MetricsSources) {
    this.models = new LabelBound(MAX_EXTRA_MODELS, configuredModels(sources.config));
  }

  private model(name: string): string {
    return this.models.value(name);
  }

  private targetName(target: Target): string {
    return `${target.providerId}/${this.model(target.model)}`;
  }

  attempt(target: Target, ms: number, error: GatewayError | undefined): void {
    const model = this.model(target.model);
    this.tallies.attempts.add(target.providerId, model, error ? error.kind : "ok");
    this.tallies.upstream.observe(ms / 1000, target.providerId, model);
  }

  movedOn(from: Target, to: Target, reason: FailureKind): void {
    if (from.providerId === to.providerId && from.model === to.model) {
      this.tallies.retries.add(to.providerId, this.model(to.model), reason);
    } else {
      this.tallies.failovers.add(this.targetName(from), this.targetName(to), reason);
    }
  }

  request(trace: RequestTrace): void {
    const target = trace.target;
    const provider = target?.providerId ?? "";
    const model = target ? this.model(target.model) : "";
    const route = trace.route ?? "";
    const dialect = trace.dialect ?? "";
    this.tallies.requests.add(route, dialect, provider, model, trace.status);
    // Only requests that reached a route: a refused key or an unknown path says nothing about latency.
    if (trace.route === undefined) return;
    this.tallies.duration.observe(trace.durationMs / 1000, route, dialect);
    if (trace.attempts > 0) {
      this.tallies.overhead.observe(Math.max(0, trace.durationMs - trace.upstreamMs) / 1000, dialect);
    }
    if (trace.firstTokenMs !== undefined && target) {
      this.tallies.firstToken.observe(trace.firstTokenMs / 1000, provider, model);
    }
  }

  /** The exposition text, and its content type. */
  async render(): Promise<{ text: string; contentType: string }> {
    this.registry ??= import("./exposition.ts").then(({ buildRegistry }) =>
      buildRegistry(this.tallies, this.sources, this.models),
    );
    const registry = await this.registry;
    return { text: await registry.metrics(), contentType: registry.contentType };
  }
}
