// Counts per label set, kept as plain numbers on the hot path and handed to prom-client when Prometheus scrapes:
// prom-client's own inc() validates and hashes its label object on every call (~0.85 µs each on Bun 1.4, measured
// with 1M calls), and a request would make several.

/** Separates label values in a tally key; no label value holds it (names, ids, enums, numbers). */
export const SEP = "\u0000";

export class Tally {
  private readonly counts = new Map<string, number>();

  /** `key` is the label values joined with SEP, in the order of the metric's label names. */
  add(key: string, by = 1): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + by);
  }

  get size(): number {
    return this.counts.size;
  }

  /** Every label set with its count, as the label names' values. */
  *entries(names: readonly string[]): Iterable<[Record<string, string>, number]> {
    for (const [key, value] of this.counts) yield [labelsOf(key, names), value];
  }
}

/** One label set's histogram: a count per bucket (not cumulative; the last counts what is above every bound). */
export interface Buckets {
  counts: Float64Array;
  sum: number;
  count: number;
}

/**
 * Observations per label set, bucketed as plain numbers on the hot path. prom-client's Histogram.observe validates
 * and hashes its label object on every call; three of them a request were ~6 µs of CPU per request under load
 * (bench/RESULTS.md, eighth round), where these cost a map lookup and a short loop.
 */
export class HistogramTally {
  private readonly series = new Map<string, Buckets>();

  /** `bounds` ascending, as prom-client's `buckets`. */
  constructor(readonly bounds: readonly number[]) {}

  /** `key` as Tally's: the label values joined with SEP. */
  observe(key: string, value: number): void {
    let series = this.series.get(key);
    if (!series) {
      series = { counts: new Float64Array(this.bounds.length + 1), sum: 0, count: 0 };
      this.series.set(key, series);
    }
    const bounds = this.bounds;
    let index = 0;
    while (index < bounds.length && value > (bounds[index] as number)) index += 1;
    series.counts[index] = (series.counts[index] as number) + 1;
    series.sum += value;
    series.count += 1;
  }

  /** Every label set with its buckets, as the label names' values. */
  *entries(names: readonly string[]): Iterable<[Record<string, string>, Buckets]> {
    for (const [key, buckets] of this.series) yield [labelsOf(key, names), buckets];
  }
}

function labelsOf(key: string, names: readonly string[]): Record<string, string> {
  const values = key.split(SEP);
  const labels: Record<string, string> = {};
  names.forEach((name, index) => {
    labels[name] = values[index] ?? "";
  });
  return labels;
}
