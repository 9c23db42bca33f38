// chatRequestSchema (optional fields checked only when present) against the plain zod object it stands in for.
import { expect, test } from "bun:test";
import { chatRequestSchema, fullChatRequestSchema } from "./chat.ts";

const base = {
  model: "openai/gpt-4o-mini",
  messages: [
    { role: "system", content: "Be brief." },
    {
      role: "user",
      content: [
        { type: "text", text: "What is this?" },
        { type: "image_url", image_url: { url: "data:image/png;base64,AA" } },
      ],
    },
    {
      role: "assistant",
      content: null,
      tool_calls: [{ id: "call_1", type: "function", function: { name: "f", arguments: "{}" } }],
    },
    { role: "tool", tool_call_id: "call_1", content: "42" },
  ],
};

const goodValues: Record<string, unknown[]> = {
  stream: [true, false, null],
  stream_options: [{ include_usage: true }, null],
  max_tokens: [1, 4096, null],
  max_completion_tokens: [10, null],
  temperature: [0, 1.5, 2, null],
  top_p: [0, 1, null],
  n: [1, 3, null],
  stop: ["x", ["a", "b"], null],
  tools: [[{ type: "function", function: { name: "f", parameters: { type: "object" } } }], null],
  tool_choice: ["auto", "none", { type: "function", function: { name: "f" } }, null],
  parallel_tool_calls: [true, null],
  response_format: [
    { type: "json_object" },
    { type: "json_schema", json_schema: { name: "s", schema: {} } },
    null,
  ],
  user: ["u-1", null],
  seed: [7, "anything"],
};
const badValues: Record<string, unknown[]> = {
  model: ["", 5, undefined],
  messages: [[], "hi", [{ role: "wizard", content: "x" }], [{ role: "tool", content: "x" }]],
  stream: ["yes", 1],
  stream_options: ["x", { include_usage: "no" }],
  max_tokens: [0, -1, 1.5, "10"],
  max_completion_tokens: [0],
  temperature: [-0.1, 2.5, "hot"],
  top_p: [1.1],
  n: [0, 2.5],
  stop: [5, [1]],
  tools: [{}, [{ type: "function", function: { name: "" } }], [{ type: "retrieval" }]],
  tool_choice: ["sometimes", { type: "function" }],
  parallel_tool_calls: ["true"],
  response_format: [{ type: "xml" }, { type: "json_schema" }],
  user: [42],
};

function outcome(schema: typeof chatRequestSchema | typeof fullChatRequestSchema, body: unknown) {
  const result = schema.safeParse(body);
  if (result.success) return { ok: true, data: result.data };
  const issue = result.error.issues[0];
  return { ok: false, path: issue?.path, message: issue?.message };
}

function expectSame(body: unknown) {
  const fast = outcome(chatRequestSchema, body);
  const full = outcome(fullChatRequestSchema, body);
  expect(fast).toEqual(full);
}

test("every good value of every field: accepted by both, with the same data", () => {
  expectSame(base);
  for (const [key, values] of Object.entries(goodValues)) {
    for (const value of values) expectSame({ ...base, [key]: value });
  }
  const all = Object.fromEntries(Object.entries(goodValues).map(([key, values]) => [key, values[0]]));
  expectSame({ ...base, ...all });
  expect(chatRequestSchema.safeParse({ ...base, ...all }).success).toBe(true);
});

test("every bad value of every field: refused by both, with the same first issue", () => {
  for (const [key, values] of Object.entries(badValues)) {
    for (const value of values) {
      const body = { ...base, [key]: value };
      expect(chatRequestSchema.safeParse(body).success).toBe(false);
      expectSame(body);
    }
  }
});

test("several bad fields at once: the same first issue (shape order, not the body's key order)", () => {
  // A seeded walk over pairs and triples, keys inserted in shuffled order.
  let seed = 12345;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const badKeys = Object.keys(badValues);
  const goodKeys = Object.keys(goodValues);
  for (let round = 0; round < 400; round++) {
    const body: Record<string, unknown> = {};
    const picks: [string, unknown][] = [];
    for (let i = 0; i < 3; i++) {
      const fromBad = random() < 0.5;
      const keys = fromBad ? badKeys : goodKeys;
      const key = keys[Math.floor(random() * keys.length)] as string;
      const values = (fromBad ? badValues : goodValues)[key] as unknown[];
      picks.push([key, values[Math.floor(random() * values.length)]]);
    }
    picks.sort(() => random() - 0.5);
    Object.assign(body, base);
    for (const [key, value] of picks) body[key] = value;
    expectSame(body);
  }
});

test("not an object at all: refused by both alike", () => {
  for (const body of [null, 1, "x", [], [base]]) expectSame(body);
});
