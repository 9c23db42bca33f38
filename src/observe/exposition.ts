// The Prometheus exposition (prom-client) of the gateway's tallies (metrics.ts), built on the first scrape: a
// gateway nobody scrapes never loads prom-client (~4 MB of the idle process, bench/RESULTS.md, eighth round).
import { Counter, Gauge, Registry } from "prom-client";
import type { EntryStatus, HealthState } from "../routing/health.ts";
import type { LabelBound } from "./label-bound.ts";
import type { MetricsSources, MetricsTallies } from "./metrics.ts";
import { TalliedHistogram } from "./tallied-histogram.ts";
import type { Tally } from "./tally.ts";
import { targetHealth } from "./targets.ts";

const STATES: readonly HealthState[] = ["healthy", "cooling_down", "half_open", "disabled"];

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

/** A registry whose metrics read the tallies and sources each time it is scraped. */
export function buildRegistry(
  tallies: MetricsTallies,
  sources: MetricsSources,
  models: LabelBound,
): Registry {
  const registry = new Registry();
  tallyCounter(
    registry,
    "aisbf_requests_total",
    "Requests answered, by route (provider or rotation asked for), client dialect, target that answered and HTTP status.",
    ["route", "dialect", "provider", "model", "status"],
    tallies.requests,
  );
  tallyCounter(
    registry,
    "aisbf_upstream_attempts_total",
    'Attempts on upstream targets, by result: "ok" or the failure kind (transient, rate_limited, silent, ...).',
    ["provider", "model", "result"],
    tallies.attempts,
  );
  tallyCounter(
    registry,
    "aisbf_retries_total",
    "Attempts that retried the target that had just failed, by the failure kind that caused them.",
    ["provider", "model", "reason"],
    tallies.retries,
  );
  tallyCounter(
    registry,
    "aisbf_failovers_total",
    'Moves from a failed target to another ("provider/model"), by the failure kind that caused them.',
    ["from", "to", "reason"],
    tallies.failovers,
  );
  new TalliedHistogram(
    registry,
    "aisbf_upstream_latency_seconds",
    "Time one attempt waited on its upstream: to the whole answer, or to a stream's first content.",
    ["provider", "model"],
    tallies.upstream,
  );
  new TalliedHistogram(
    registry,
    "aisbf_time_to_first_token_seconds",
    "From a streamed request's arrival to its first content, failovers included.",
    ["provider", "model"],
    tallies.firstToken,
  );
  new TalliedHistogram(
    registry,
    "aisbf_gateway_overhead_seconds",
    "A request's total time minus the time it waited on upstreams: the gateway's own share (and retry waits).",
    ["dialect"],
    tallies.overhead,
  );
  new TalliedHistogram(
    registry,
    "aisbf_request_duration_seconds",
    "From a request's arrival to the end of its answer (a stream's last byte).",
    ["route", "dialect"],
    tallies.duration,
  );
  tokenCounters(registry, sources);
  healthGauges(registry, sources, models);
  inFlightGauges(registry, sources);
  new Gauge({
    name: "aisbf_build_info",
    help: "Always 1; the running version as a label.",
    labelNames: ["version"],
    registers: [registry],
  }).set({ version: sources.version }, 1);
  return registry;
}

function tokenCounters(registry: Registry, sources: MetricsSources): void {
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

function healthGauges(registry: Registry, sources: MetricsSources, models: LabelBound): void {
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

function inFlightGauges(registry: Registry, sources: MetricsSources): void {
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
