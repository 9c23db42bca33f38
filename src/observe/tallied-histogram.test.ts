// The tallied histogram against prom-client's own: the same observations must give the same exposition text.
import { describe, expect, test } from "bun:test";
import { Histogram, Registry } from "prom-client";
import { TalliedHistogram } from "./tallied-histogram.ts";
import { HistogramTally } from "./tally.ts";

const BOUNDS = [0.01, 0.1, 1, 10];
// On a bound (le is inclusive), between bounds, below the first, above the last, and zero.
const OBSERVED: [string, string, number][] = [
  ["mock", "gpt-4o-mini", 0.01],
  ["mock", "gpt-4o-mini", 0.05],
  ["mock", "gpt-4o-mini", 0.001],
  ["mock", "gpt-4o-mini", 42],
  ["other", "m/1", 0],
  ["other", "m/1", 1],
];

function both() {
  const reference = new Registry();
  const ours = new Registry();
  const theirs = new Histogram({
    name: "x_seconds",
    help: "Help text.",
    labelNames: ["provider", "model"],
    buckets: BOUNDS,
    registers: [reference],
  });
  const tally = new HistogramTally(2, BOUNDS);
  new TalliedHistogram(ours, "x_seconds", "Help text.", ["provider", "model"], tally);
  for (const [provider, model, value] of OBSERVED) {
    theirs.observe({ provider, model }, value);
    tally.observe(value, provider, model);
  }
  return { reference, ours };
}

describe("TalliedHistogram", () => {
  test("writes the exposition text prom-client writes for the same observations", async () => {
    const { reference, ours } = both();
    const text = await ours.metrics();
    expect(text).toBe(await reference.metrics());
    expect(text).toContain('x_seconds_bucket{le="0.01",provider="mock",model="gpt-4o-mini"} 2');
    expect(text).toContain('x_seconds_bucket{le="+Inf",provider="mock",model="gpt-4o-mini"} 4');
    expect(text).toContain('x_seconds_sum{provider="other",model="m/1"} 1');
  });

  test("gives the JSON prom-client gives (labels and le together; exemplars are off)", async () => {
    const { reference, ours } = both();
    const withoutExemplars = JSON.parse(
      JSON.stringify(await reference.getMetricsAsJSON(), (name, value) =>
        name === "exemplar" ? undefined : value,
      ),
    );
    expect(await ours.getMetricsAsJSON()).toEqual(withoutExemplars);
  });

  test("an empty tally writes only the help and type lines", async () => {
    const registry = new Registry();
    new TalliedHistogram(registry, "y_seconds", "Nothing yet.", ["dialect"], new HistogramTally(1, BOUNDS));
    expect(await registry.metrics()).toBe("# HELP y_seconds Nothing yet.\n# TYPE y_seconds histogram\n");
  });
});
