// Keeps a metric label's values bounded: a client names models freely on a provider's path, and every distinct label
// value is a new time series in the gateway and in Prometheus.

/** What a value past the bound is counted as. */
export const OTHER = "other";

export class LabelBound {
  private readonly seen = new Set<string>();

  /** `limit` distinct values are kept as they are; `known` ones (from the config) always are. */
  constructor(
    private readonly limit: number,
    private readonly known: ReadonlySet<string> = new Set(),
  ) {}

  value(text: string): string {
    if (this.known.has(text) || this.seen.has(text)) return text;
    if (this.seen.size >= this.limit) return OTHER;
    this.seen.add(text);
    return text;
  }
}
