// Usage accounting: requests and tokens per client key name, provider and model, per UTC day and since start. Kept
// behind UsageStore: in memory by default, shared by several instances through Redis (state/shared-usage.ts).
import type { CanonicalUsage } from "../canonical/response.ts";
import { OTHER } from "./label-bound.ts";

/** Requests and tokens of one client key name ("" with keys off) on one provider and model. */
export interface TokenTotals {
  key: string;
  provider: string;
  model: string;
  requests: number;
  /** Every input token, cached ones included. */
  input: number;
  /** Every output token, reasoning included. */
  output: number;
  cached: number;
  reasoning: number;
}

export interface UsageLine extends TokenTotals {
  /** The UTC day, "YYYY-MM-DD". */
  day: string;
}

/** What GET /v1/usage and the dashboard show. */
export interface UsageReport {
  lines: UsageLine[];
  /** Input and output tokens of `key` on the report's UTC day of `now`: what tokens_per_day is checked against. */
  usedToday(key: string): number;
  /** The lines count every instance sharing state through Redis, not only this one. */
  shared: boolean;
  /** Why the lines are this instance's own although usage is shared (Redis down or slow). */
  note?: string;
}

export interface UsageStore {
  /** One answered request of `key` ("" with client keys off) on a target, at `at` (ms since the epoch). */
  record(key: string, provider: string, model: string, usage: CanonicalUsage | undefined, at: number): void;
  /** Tokens (input and output) `key` has used on the UTC day of `at`: what tokens_per_day is checked against. */
  tokensOn(key: string, at: number): number;
  /** The kept days' lines, newest day first, most tokens first; only `key`'s when given. */
  lines(filter?: { key?: string | undefined; day?: string | undefined }): UsageLine[];
  /** Since start, per key, provider and model (the metrics' tokens). */
  totals(): Iterable<TokenTotals>;
  /** The kept days' lines as `lines` gives them, and today's tokens, from wherever usage is counted. */
  report(
    filter: { key?: string | undefined; day?: string | undefined },
    now: number,
  ): UsageReport | Promise<UsageReport>;
}

export interface MemoryUsageOptions {
  /** Days kept for GET /v1/usage; older ones are dropped as days pass. */
  keepDays?: number;
  /** Lines per day (and since start) at most; past it, new models are counted under "other". */
  maxLines?: number;
}

export const DAY_MS = 86_400_000;
export const DEFAULT_USAGE_KEEP_DAYS = 31;
export const DEFAULT_USAGE_MAX_LINES = 5_000;

/** The UTC day of `at`, and when it ends. */
export function utcDay(at: number): { day: string; endsAt: number } {
  const start = Math.floor(at / DAY_MS) * DAY_MS;
  return { day: new Date(start).toISOString().slice(0, 10), endsAt: start + DAY_MS };
}

/** Newest day first; within a day most tokens first, then most requests. */
export function byDayAndTokens(a: UsageLine, b: UsageLine): number {
  if (a.day !== b.day) return a.day < b.day ? 1 : -1;
  return b.input + b.output - (a.input + a.output) || b.requests - a.requests;
}

export function emptyLine(key: string, provider: string, model: string): TokenTotals {
  return { key, provider, model, requests: 0, input: 0, output: 0, cached: 0, reasoning: 0 };
}

function add(line: TokenTotals, usage: CanonicalUsage | undefined): void {
  line.requests += 1;
  if (!usage) return;
  line.input += usage.inputTokens;
  line.output += usage.outputTokens;
  line.cached += usage.cacheReadTokens ?? 0;
  line.reasoning += usage.reasoningTokens ?? 0;
}

/**
 * Lines of one period, bounded: a client choosing model names cannot grow it without end. Found through nested maps
 * (key, provider, model), not a joined id, for the reason tally.ts gives.
 */
class Ledger {
  readonly lines: TokenTotals[] = [];
  private readonly index = new Map<string, Map<string, Map<string, TokenTotals>>>();
  /** Input and output tokens per key. */
  readonly perKey = new Map<string, number>();

  constructor(private readonly maxLines: number) {}

  record(key: string, provider: string, model: string, usage: CanonicalUsage | undefined): void {
    const models = this.models(key, provider);
    let line = models.get(model);
    if (!line) {
      const kept = this.lines.length >= this.maxLines ? OTHER : model;
      line = models.get(kept);
      if (!line) {
        line = emptyLine(key, provider, kept);
        models.set(kept, line);
        this.lines.push(line);
      }
    }
    add(line, usage);
    if (usage) this.perKey.set(key, (this.perKey.get(key) ?? 0) + usage.inputTokens + usage.outputTokens);
  }

  private models(key: string, provider: string): Map<string, TokenTotals> {
    let providers = this.index.get(key);
    if (!providers) {
      providers = new Map();
      this.index.set(key, providers);
    }
    let models = providers.get(provider);
    if (!models) {
      models = new Map();
      providers.set(provider, models);
    }
    return models;
  }
}

export function createMemoryUsageStore(options: MemoryUsageOptions = {}): UsageStore {
  const keepDays = options.keepDays ?? DEFAULT_USAGE_KEEP_DAYS;
  const maxLines = options.maxLines ?? DEFAULT_USAGE_MAX_LINES;
  const total = new Ledger(maxLines);
  const days = new Map<string, Ledger>();
  // The day of the last record, so most records skip the date arithmetic.
  let current = { day: "", endsAt: 0, startsAt: 0 };

  function dayOf(at: number): string {
    if (at >= current.startsAt && at < current.endsAt) return current.day;
    const { day, endsAt } = utcDay(at);
    current = { day, endsAt, startsAt: endsAt - DAY_MS };
    return day;
  }

  function prune(): void {
    const sorted = [...days.keys()].sort();
    while (sorted.length > keepDays) days.delete(sorted.shift() as string);
  }

  const store: UsageStore = {
    record(key, provider, model, usage, at) {
      const day = dayOf(at);
      let ledger = days.get(day);
      if (!ledger) {
        ledger = new Ledger(maxLines);
        days.set(day, ledger);
        prune();
      }
      ledger.record(key, provider, model, usage);
      total.record(key, provider, model, usage);
    },
    tokensOn(key, at) {
      return days.get(dayOf(at))?.perKey.get(key) ?? 0;
    },
    lines(filter = {}) {
      const out: UsageLine[] = [];
      for (const [day, ledger] of days) {
        if (filter.day !== undefined && day !== filter.day) continue;
        for (const line of ledger.lines) {
          if (filter.key === undefined || line.key === filter.key) out.push({ ...line, day });
        }
      }
      return out.sort(byDayAndTokens);
    },
    totals() {
      return total.lines;
    },
    report(filter, now) {
      return { lines: store.lines(filter), usedToday: (key) => store.tokensOn(key, now), shared: false };
    },
  };
  return store;
}
