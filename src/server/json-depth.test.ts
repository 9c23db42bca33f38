// JSON nesting depth, with brackets inside strings and escaped quotes.
import { expect, test } from "bun:test";
import { nestsDeeperThan } from "./json-depth.ts";

test.each([
  ['{"a":[1,{"b":2}]}', 3, false],
  ['{"a":[1,{"b":2}]}', 2, true],
  ['{"a":"[[[[[[[[[["}', 1, false],
  ['{"a":"\\"[[[[["}', 1, false],
  ["[".repeat(200) + "]".repeat(200), 128, true],
  ["[".repeat(128) + "]".repeat(128), 128, false],
])("%p deeper than %p: %p", (text, limit, expected) => {
  expect(nestsDeeperThan(text, limit)).toBe(expected);
});
