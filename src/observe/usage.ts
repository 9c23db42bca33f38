// Usage accounting: requests and tokens per client key name, provider and model, per UTC day and since start. Kept
// behind UsageStore so several instances can later share it (like HealthStore); in memory by default.
import type { CanonicalUsage } from "../canonical/response.ts";
import { OTHER } from "./label-bound.ts";
import { SEP } from "./tally.ts";

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

export interface UsageStore {
  /** One answered request of `key` ("" with client keys off) on a target, at `at` (ms since the epoch). */
  record(key: string, provider: string, model: string, usage: CanonicalUsage | undefined, at: number): void;
  /** Tokens (input and output) `key` has used on the UTC day of `at`: what tokens_per_day is checked against. */
  tokensOn(key: string, at: number): number;
  /** The kept days' lines, newest day first, most tokens first; only `key`'s when given. */
  lines(filter?: { key?: string | undefined; day?: string | undefined }): UsageLine[];
  /** Since start, per key, provider and model (the metrics' tokens). */
  totals(): Iterable<TokenTotals>;
}

export interface MemoryUsageOptions {
  /** Days kept for GET /v1/usage; older ones are dropped as days pass. */
  keepDays?: number;
  /** Lines per day (and since start) at most; past it, new models are counted under "other". */
  maxLines?: number;
}

const DAY_MS = 86_400_000;

/** The UTC day of `at`, and when it ends. */
export function utcDay(at: number): { day: string; endsAt: number } {
  const start = Math.floor(at / DAY_MS) * DAY_MS;
  return { day: new Date(start).toISOString().slice(0, 10), endsAt: start + DAY_MS };
}

function emptyLine(key: string, provider: string, model: string): TokenTotals {
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

/** Lines of one period, bounded: a client choosing model names cannot grow it without end. */
class Ledger {
  readonly lines = new Map<string, TokenTotals>();
  /** Input and output tokens per key. */
  readonly perKey = new Map<string, number>();

  constructor(private readonly maxLines: number) {}

  record(key: string, provider: string, model: string, usage: CanonicalUsage | undefined): void {
    let id = `${key}${SEP}${provider}${SEP}${model}`;
    let line = this.lines.get(id);
    if (!line) {
      if (this.lines.size >= this.maxLines) {
        id = `${key}${SEP}${provider}${SEP}${OTHER}`;
        line = this.lines.get(id);
      }
      if (!line) {
        line = emptyLine(key, provider, this.lines.size >= this.maxLines ? OTHER : model);
        this.lines.set(id, line);
      }
    }
    add(line, usage);
    if (usage) this.perKey.set(key, (this.perKey.get(key) ?? 0) + usage.inputTokens + usage.outputTokens);
  }
}

export function createMemoryUsageStore(options: MemoryUsageOptions = {}): UsageStore {
  const keepDays = options.keepDays ?? 31;
  const maxLines = options.maxLines ?? 5_000;
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

  return {
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
      const order = [...days.keys()].sort().reverse();
      for (const day of order) {
        if (filter.day !== undefined && day !== filter.day) continue;
        const ledger = days.get(day) as Ledger;
        const lines = [...ledger.lines.values()]
          .filter((line) => filter.key === undefined || line.key === filter.key)
          .sort((a, b) => b.input + b.output - (a.input + a.output) || b.requests - a.requests);
        for (const line of lines) out.push({ ...line, day });
      }
      return out;
    },
    totals() {
      return total.lines.values();
    },
  };
}
