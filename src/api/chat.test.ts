// chatRequestSchema (optional fields checked only when present) against the plain zod object it stands in for, and
// the stream finish tracker against its set-based definition.
import { describe, expect, test } from "bun:test";
import {
  type ChatCompletionChunk,
  chatRequestSchema,
  createFinishTracker,
  fullChatRequestSchema,
} from "./chat.ts";

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

describe("createFinishTracker", () => {
  /** The tracker as it was specified first: a set of open and a set of finished choice indexes. */
  function reference() {
    const open = new Set<number>();
    const done = new Set<number>();
    return {
      see(chunk: ChatCompletionChunk) {
        for (const choice of chunk.choices) {
          if (choice.finish_reason != null) {
            open.delete(choice.index);
            done.add(choice.index);
          } else if (!done.has(choice.index)) open.add(choice.index);
        }
      },
      get complete() {
        return done.size > 0 && open.size === 0;
      },
    };
  }

  type Finish = ChatCompletionChunk["choices"][number]["finish_reason"];
  const chunkOf = (choices: [number, Finish][]): ChatCompletionChunk => ({
    id: "c",
    object: "chat.completion.chunk",
    created: 1,
    model: "m",
    choices: choices.map(([index, finish_reason]) => ({ index, delta: {}, finish_reason })),
  });

  test("one choice: complete once it finishes, and stays complete after trailing chunks", () => {
    const tracker = createFinishTracker();
    expect(tracker.complete).toBe(false);
    tracker.see(chunkOf([[0, null]]));
    expect(tracker.complete).toBe(false);
    tracker.see(chunkOf([[0, "stop"]]));
    expect(tracker.complete).toBe(true);
    tracker.see(chunkOf([]));
    tracker.see(chunkOf([[0, null]]));
    expect(tracker.complete).toBe(true);
  });

  test("n > 1: one finished choice is not a whole answer", () => {
    const tracker = createFinishTracker();
    tracker.see(
      chunkOf([
        [0, null],
        [1, null],
      ]),
    );
    tracker.see(chunkOf([[1, "stop"]]));
    expect(tracker.complete).toBe(false);
    tracker.see(chunkOf([[0, "length"]]));
    expect(tracker.complete).toBe(true);
    tracker.see(chunkOf([[2, null]]));
    expect(tracker.complete).toBe(false);
  });

  test("agrees with the set-based definition on random streams of up to four choices", () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let stream = 0; stream < 2000; stream += 1) {
      const tracker = createFinishTracker();
      const model = reference();
      const length = Math.floor(random() * 8);
      for (let step = 0; step < length; step += 1) {
        const width = Math.floor(random() * 3);
        const choices = Array.from({ length: width }, (): [number, Finish] => [
          Math.floor(random() * 4),
          random() < 0.35 ? "stop" : null,
        ]);
        tracker.see(chunkOf(choices));
        model.see(chunkOf(choices));
        expect(tracker.complete).toBe(model.complete);
      }
    }
  });
});
