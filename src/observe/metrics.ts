// The Prometheus metrics (prom-client): requests, attempts, retries, failovers, latencies, tokens, target health and
// what is in flight. Label values are ids from the config, enums and HTTP statuses; model names, which a client may
// choose, are bounded (label-bound.ts). Never a key, a request id or free text.
import { Counter, Gauge, Registry } from "prom-client";
import type { FailureKind, GatewayError } from "../api/errors.ts";
import type { LoadedConfig } from "../config/load.ts";
import type { EntryStatus, HealthState, HealthStore, Target } from "../routing/health.ts";
import { LabelBound } from "./label-bound.ts";
import { TalliedHistogram } from "./tallied-histogram.ts";
import { HistogramTally, Tally } from "./tally.ts";
import { targetHealth } from "./targets.ts";
import type { RequestTrace } from "./trace.ts";
import type { TokenTotals } from "./usage.ts";

/** Upstream answers take from milliseconds (a local model's first token) to minutes (a long completion). */
const LATENCY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
/** The gateway's own share is sub-millisecond when all is well; the upper buckets catch retry waits. */
const OVERHEAD_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 0.5, 2.5, 10];
/** Model names kept as label values beyond those the config lists; more are counted as "other". */
const MAX_EXTRA_MODELS = 50;
const STATES: readonly HealthState[] = ["healthy", "cooling_down", "half_open", "disabled"];

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

/** A counter whose value is read from a tally when scraped. */
function tallyCounter(registry: Registry, name: string, help: string, labelNames: string[], tally: Tally) {
  return new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, value] of tally.entries(labelNames)) this.inc(labels, value);
    },
  });
}

export class Metrics {
  readonly registry = new Registry();
  private readonly requests = new Tally(5);
  private readonly attempts = new Tally(3);
  private readonly retries = new Tally(3);
  private readonly failovers = new Tally(3);
  private readonly models: LabelBound;
  private readonly upstream = new HistogramTally(2, LATENCY_BUCKETS);
  private readonly firstToken = new HistogramTally(2, LATENCY_BUCKETS);
  private readonly overhead = new HistogramTally(1, OVERHEAD_BUCKETS);
  private readonly duration = new HistogramTally(2, LATENCY_BUCKETS);

  /** The targets the health gauges list come from the config in force. */
  reconfigure(config: LoadedConfig): void {
    this.sources.config = config;
  }

  constructor(private readonly sources: MetricsSources) {
    const registry = this.registry;
    this.models = new LabelBound(MAX_EXTRA_MODELS, configuredModels(sources.config));
    tallyCounter(
      registry,
      "aisbf_requests_total",
      "Requests answered, by route (provider or rotation asked for), client dialect, target that answered and HTTP status.",
      ["route", "dialect", "provider", "model", "status"],
      this.requests,
    );
    tallyCounter(
      registry,
      "aisbf_upstream_attempts_total",
      'Attempts on upstream targets, by result: "ok" or the failure kind (transient, rate_limited, silent, ...).',
      ["provider", "model", "result"],
      this.attempts,
    );
    tallyCounter(
      registry,
      "aisbf_retries_total",
      "Attempts that retried the target that had just failed, by the failure kind that caused them.",
      ["provider", "model", "reason"],
      this.retries,
    );
    tallyCounter(
      registry,
      "aisbf_failovers_total",
      'Moves from a failed target to another ("provider/model"), by the failure kind that caused them.',
      ["from", "to", "reason"],
      this.failovers,
    );
    new TalliedHistogram(
      registry,
      "aisbf_upstream_latency_seconds",
      "Time one attempt waited on its upstream: to the whole answer, or to a stream's first content.",
      ["provider", "model"],
      this.upstream,
    );
    new TalliedHistogram(
      registry,
      "aisbf_time_to_first_token_seconds",
      "From a streamed request's arrival to its first content, failovers included.",
      ["provider", "model"],
      this.firstToken,
    );
    new TalliedHistogram(
      registry,
      "aisbf_gateway_overhead_seconds",
      "A request's total time minus the time it waited on upstreams: the gateway's own share (and retry waits).",
      ["dialect"],
      this.overhead,
    );
    new TalliedHistogram(
      registry,
      "aisbf_request_duration_seconds",
      "From a request's arrival to the end of its answer (a stream's last byte).",
      ["route", "dialect"],
      this.duration,
    );
    this.tokenCounters(registry);
    this.healthGauges(registry);
    this.inFlightGauges(registry);
    new Gauge({
      name: "aisbf_build_info",
      help: "Always 1; the running version as a label.",
      labelNames: ["version"],
      registers: [registry],
    }).set({ version: sources.version }, 1);
  }

  private model(name: string): string {
    return this.models.value(name);
  }

  private targetName(target: Target): string {
    return `${target.providerId}/${this.model(target.model)}`;
  }

  attempt(target: Target, ms: number, error: GatewayError | undefined): void {
    const model = this.model(target.model);
    this.attempts.add(target.providerId, model, error ? error.kind : "ok");
    this.upstream.observe(ms / 1000, target.providerId, model);
  }

  movedOn(from: Target, to: Target, reason: FailureKind): void {
    if (from.providerId === to.providerId && from.model === to.model) {
      this.retries.add(to.providerId, this.model(to.model), reason);
    } else {
      this.failovers.add(this.targetName(from), this.targetName(to), reason);
    }
  }

  request(trace: RequestTrace): void {
    const target = trace.target;
    const provider = target?.providerId ?? "";
    const model = target ? this.model(target.model) : "";
    const route = trace.route ?? "";
    const dialect = trace.dialect ?? "";
    this.requests.add(route, dialect, provider, model, trace.status);
    // Only requests that reached a route: a refused key or an unknown path says nothing about latency.
    if (trace.route === undefined) return;
    this.duration.observe(trace.durationMs / 1000, route, dialect);
    if (trace.attempts > 0) {
      this.overhead.observe(Math.max(0, trace.durationMs - trace.upstreamMs) / 1000, dialect);
    }
    if (trace.firstTokenMs !== undefined && target) {
      this.firstToken.observe(trace.firstTokenMs / 1000, provider, model);
    }
  }

  private tokenCounters(registry: Registry): void {
    const { sources } = this;
    const labelNames = ["key", "provider", "model", "type"];
    new Counter({
      name: "aisbf_tokens_total",
      help: 'Tokens by client key name (never the key), provider, model and type: "input" (cached included), "output" (reasoning included), "cached", "reasoning".',
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        for (const line of sources.tokens()) {
          const base = { key: line.key, provider: line.provider, model: line.model };
          this.inc({ ...base, type: "input" }, line.input);
          this.inc({ ...base, type: "output" }, line.output);
          this.inc({ ...base, type: "cached" }, line.cached);
          this.inc({ ...base, type: "reasoning" }, line.reasoning);
        }
      },
    });
  }

  private healthGauges(registry: Registry): void {
    const { sources } = this;
    const models = this.models;
    // A target past the label bound is left out, not folded into "other": a gauge cannot be summed.
    const entries = (): [string, string, EntryStatus | undefined][] =>
      targetHealth(sources.config, sources.health)
        .filter((target) => target.model === "" || models.value(target.model) === target.model)
        .map((target) => [target.provider, target.model, target.entry]);
    new Gauge({
      name: "aisbf_target_state",
      help: 'Health of each target (model "" for a whole provider): 1 for its state, 0 for the others.',
      labelNames: ["provider", "model", "state"],
      registers: [registry],
      collect() {
        this.reset();
        for (const [provider, model, entry] of entries()) {
          const state = entry?.state ?? "healthy";
          for (const each of STATES) this.set({ provider, model, state: each }, each === state ? 1 : 0);
        }
      },
    });
    new Gauge({
      name: "aisbf_target_consecutive_failures",
      help: 'Consecutive failed attempts of each target (model "" for a whole provider).',
      labelNames: ["provider", "model"],
      registers: [registry],
      collect() {
        this.reset();
        for (const [provider, model, entry] of entries()) {
          this.set({ provider, model }, entry?.consecutive_failures ?? 0);
        }
      },
    });
    new Gauge({
      name: "aisbf_target_cooldown_remaining_seconds",
      help: "Seconds until a cooling-down target may be tried again; 0 when it is not out.",
      labelNames: ["provider", "model"],
      registers: [registry],
      collect() {
        this.reset();
        const now = sources.clock();
        for (const [provider, model, entry] of entries()) {
          const until = entry?.cooldown_until ? Date.parse(entry.cooldown_until) : now;
          this.set({ provider, model }, Math.max(0, (until - now) / 1000));
        }
      },
    });
  }

  private inFlightGauges(registry: Registry): void {
    const { sources } = this;
    new Gauge({
      name: "aisbf_in_flight_requests",
      help: "Requests being served now (streams included).",
      registers: [registry],
      collect() {
        this.set(sources.inFlight().requests);
      },
    });
    new Gauge({
      name: "aisbf_in_flight_streams",
      help: "Streamed answers being sent now.",
      registers: [registry],
      collect() {
        this.set(sources.inFlight().streams);
      },
    });
  }

  /** The exposition text, and its content type. */
  async render(): Promise<{ text: string; contentType: string }> {
    return { text: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}
