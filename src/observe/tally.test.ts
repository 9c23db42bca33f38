// Tallies count per label set through nested maps; what they hand to prom-client is each set once, as strings.
import { expect, test } from "bun:test";
import { HistogramTally, Tally } from "./tally.ts";

test("a tally counts each label set apart and gives them back as the label names' strings", () => {
  const tally = new Tally(3);
  tally.add("mock", "gpt-4o-mini", 200);
  tally.add("mock", "gpt-4o-mini", 200);
  tally.add("mock", "gpt-4o-mini", 503);
  tally.add("mock", "", 200);
  expect([...tally.entries(["provider", "model", "status"])]).toEqual([
    [{ provider: "mock", model: "gpt-4o-mini", status: "200" }, 2],
    [{ provider: "mock", model: "gpt-4o-mini", status: "503" }, 1],
    [{ provider: "mock", model: "", status: "200" }, 1],
  ]);
});

test("a histogram tally buckets by the first bound at or above the value; above every bound only counts", () => {
  const tally = new HistogramTally(1, [0.1, 1]);
  for (const value of [0.1, 0.5, 2, 0]) tally.observe(value, "openai-chat");
  const [[labels, buckets]] = [...tally.entries(["dialect"])] as [
    [Record<string, string>, { counts: Float64Array; sum: number; count: number }],
  ];
  expect(labels).toEqual({ dialect: "openai-chat" });
  expect([...buckets.counts]).toEqual([2, 1, 1]);
  expect(buckets.sum).toBeCloseTo(2.6);
  expect(buckets.count).toBe(4);
});
