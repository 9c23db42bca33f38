// A prom-client histogram fed from a HistogramTally (tally.ts) when Prometheus scrapes, for the hot path's sake.
import { Histogram, type MetricObjectWithValues, type MetricValueWithName, type Registry } from "prom-client";
import type { HistogramTally } from "./tally.ts";

/** The exposition of one metric, as prom-client's registry reads it from `get()`. */
type Exposition = MetricObjectWithValues<MetricValueWithName<string>>;

/**
 * A histogram whose observations are kept in a tally and read from it when scraped: prom-client writes the text,
 * the hot path never calls its observe().
 */
export class TalliedHistogram extends Histogram<string> {
  constructor(
    registry: Registry,
    private readonly metricName: string,
    private readonly metricHelp: string,
    private readonly names: string[],
    private readonly tally: HistogramTally,
  ) {
    super({
      name: metricName,
      help: metricHelp,
      labelNames: names,
      buckets: [...tally.bounds],
      registers: [registry],
    });
  }

  override async get(): Promise<Exposition> {
    const exposition = await this.getForPromString();
    const values = exposition.values as (MetricValueWithName<string> & { sharedLabels?: object })[];
    return {
      ...exposition,
      values: values.map(({ sharedLabels, ...value }) => ({
        ...value,
        labels: { ...sharedLabels, ...value.labels },
      })),
    };
  }

  /**
   * What the registry asks a histogram for when it writes the exposition text (prom-client's own name and shape:
   * the series' labels as `sharedLabels`, `le` alone as `labels`), so the text is the one prom-client would write.
   */
  async getForPromString(): Promise<Exposition> {
    const { metricName: name, tally } = this;
    const values: object[] = [];
    const line = (labels: object, sharedLabels: object, value: number, suffix: string) =>
      values.push({ labels, sharedLabels, value, metricName: `${name}${suffix}` });
    for (const [labels, buckets] of tally.entries(this.names)) {
      let below = 0;
      tally.bounds.forEach((bound, index) => {
        below += buckets.counts[index] as number;
        line({ le: bound }, labels, below, "_bucket");
      });
      line({ le: "+Inf" }, labels, buckets.count, "_bucket");
      line({}, labels, buckets.sum, "_sum");
      line({}, labels, buckets.count, "_count");
    }
    // prom-client declares `type` as a numeric enum; its registry writes the text one its own metrics carry.
    const exposition = { name, help: this.metricHelp, type: "histogram", values, aggregator: "sum" };
    return exposition as unknown as Exposition;
  }
}
