// sparseLooseObject against the plain z.looseObject it stands in for, over generated inputs.
import { expect, test } from "bun:test";
import { z } from "zod";
import { sparseLooseObject } from "./sparse-object.ts";

const required = { kind: z.literal("a"), id: z.string().min(2) };
const optional = {
  count: z.number().int().positive().nullish(),
  tags: z.array(z.string()).optional(),
  nested: z.looseObject({ flag: z.boolean() }).nullish(),
  choice: z.union([z.string(), z.array(z.number())]).nullish(),
};
const plain = z.looseObject({ ...required, ...optional });
const sparse = sparseLooseObject(required, optional);

const samples: Record<string, unknown[]> = {
  kind: ["a", "b", 1, undefined],
  id: ["xy", "x", 5, undefined],
  count: [1, 0, -2, 1.5, "3", null, undefined],
  tags: [[], ["t"], [1], "t", null, undefined],
  nested: [{ flag: true }, { flag: "no" }, {}, null, 7, undefined],
  choice: ["s", [1, 2], ["x"], 3, null, undefined],
  extra: [{ any: "thing" }, undefined],
};

function outcome(schema: z.ZodType, value: unknown) {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, data: result.data };
  const issue = result.error.issues[0];
  return { ok: false, path: issue?.path, code: issue?.code, message: issue?.message };
}

test("the same answer as the plain loose object for 3,000 generated objects", () => {
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const keys = Object.keys(samples);
  let accepted = 0;
  for (let i = 0; i < 3_000; i++) {
    const value: Record<string, unknown> = {};
    // Keys in a shuffled order: the first issue must follow the shape's order, not the input's.
    for (const key of [...keys].sort(() => random() - 0.5)) {
      const options = samples[key] as unknown[];
      const picked = options[Math.floor(random() * options.length)];
      if (picked !== undefined) value[key] = picked;
    }
    const expected = outcome(plain, value);
    expect(outcome(sparse, value)).toEqual(expected);
    if (expected.ok) accepted++;
  }
  // Both branches were exercised.
  expect(accepted).toBeGreaterThan(10);
  expect(accepted).toBeLessThan(2_950);
});

test("a present field is checked by its own schema, an absent one not at all", () => {
  expect(sparse.safeParse({ kind: "a", id: "xy" }).success).toBe(true);
  const bad = sparse.safeParse({ kind: "a", id: "xy", nested: { flag: 1 } });
  expect(bad.success).toBe(false);
  expect(bad.error?.issues[0]?.path).toEqual(["nested", "flag"]);
});

test("works as an option of a discriminated union", () => {
  const union = z.discriminatedUnion("kind", [
    sparse,
    sparseLooseObject({ kind: z.literal("b") }, { size: z.number().optional() }),
  ]);
  expect(union.safeParse({ kind: "b", size: 2 }).success).toBe(true);
  expect(union.safeParse({ kind: "b", size: "2" }).success).toBe(false);
  expect(union.safeParse({ kind: "a", id: "xy", count: 2 }).success).toBe(true);
  expect(union.safeParse({ kind: "c" }).success).toBe(false);
});
