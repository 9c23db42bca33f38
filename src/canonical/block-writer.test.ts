// The block writer: one text-like block open at a time, a new kind closing it, blocks of their own after it.
import { expect, test } from "bun:test";
import { createBlockWriter } from "./block-writer.ts";
import type { StreamEvent } from "./stream.ts";

test("thinking, then text, then a tool call: each closes what was open, indexes in order", () => {
  const blocks = createBlockWriter("ollama");
  const out: StreamEvent[] = [];
  expect(blocks.write("thinking", out)).toBe(0);
  expect(blocks.write("thinking", out)).toBe(0);
  expect(blocks.write("text", out)).toBe(1);
  expect(blocks.open).toBe("text");
  expect(blocks.next(out)).toBe(2);
  expect(blocks.open).toBeUndefined();
  blocks.close(out);
  expect(out).toEqual([
    { type: "block_start", index: 0, block: { type: "thinking", origin: "ollama" } },
    { type: "block_stop", index: 0 },
    { type: "block_start", index: 1, block: { type: "text" } },
    { type: "block_stop", index: 1 },
  ]);
});
