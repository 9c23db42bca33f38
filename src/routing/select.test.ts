// Weighted attempt order: distribution, last-resort weight 0, priority order; with a seeded random source.
import { describe, expect, test } from "bun:test";
import { attemptOrder, type Candidate } from "./select.ts";

/** A small deterministic PRNG (mulberry32) so the distribution test never flakes. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const a: Candidate = { providerId: "a", model: "m", weight: 3 };
const b: Candidate = { providerId: "b", model: "m", weight: 1 };
const c: Candidate = { providerId: "c", model: "m", weight: 0 };
const d: Candidate = { providerId: "d", model: "m", weight: 6 };

describe("weighted", () => {
  test("first picks follow the weights", () => {
    const random = seeded(42);
    const counts: Record<string, number> = { a: 0, b: 0, d: 0 };
    const runs = 20_000;
    for (let i = 0; i < runs; i++) {
      const first = attemptOrder([a, b, d], "weighted", random)[0];
      counts[first?.providerId ?? "?"] = (counts[first?.providerId ?? "?"] ?? 0) + 1;
    }
    // Expected shares 0.3, 0.1, 0.6; allow 1.5 percentage points.
    expect(Math.abs((counts.a ?? 0) / runs - 0.3)).toBeLessThan(0.015);
    expect(Math.abs((counts.b ?? 0) / runs - 0.1)).toBeLessThan(0.015);
    expect(Math.abs((counts.d ?? 0) / runs - 0.6)).toBeLessThan(0.015);
  });

  test("second picks are by weight among the rest", () => {
    const random = seeded(7);
    let bSecondAfterD = 0;
    let dFirst = 0;
    for (let i = 0; i < 20_000; i++) {
      const order = attemptOrder([a, b, d], "weighted", random);
      if (order[0]?.providerId === "d") {
        dFirst += 1;
        if (order[1]?.providerId === "b") bSecondAfterD += 1;
      }
    }
    // After d, b has weight 1 of the remaining 4.
    expect(Math.abs(bSecondAfterD / dFirst - 0.25)).toBeLessThan(0.02);
  });

  test("every candidate appears once; weight 0 comes last, only as a last resort", () => {
    const random = seeded(1);
    for (let i = 0; i < 200; i++) {
      const order = attemptOrder([c, a, b], "weighted", random);
      expect(order.map((x) => x.providerId).sort()).toEqual(["a", "b", "c"]);
      expect(order[2]?.providerId).toBe("c");
    }
  });

  test("table: fixed random values pick the expected candidate", () => {
    const table: Array<[number, string]> = [
      [0, "a"],
      [0.29, "a"],
      [0.31, "b"],
      [0.39, "b"],
      [0.41, "d"],
      [0.999, "d"],
    ];
    for (const [value, expected] of table) {
      expect(attemptOrder([a, b, d], "weighted", () => value)[0]?.providerId).toBe(expected);
    }
  });
});

describe("priority", () => {
  test("highest weight first, ties in config order, zero last", () => {
    const tie: Candidate = { providerId: "tie", model: "m", weight: 3 };
    const order = attemptOrder([b, a, c, tie, d], "priority", () => 0.5);
    expect(order.map((x) => x.providerId)).toEqual(["d", "a", "tie", "b", "c"]);
  });
});
