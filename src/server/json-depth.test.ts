// JSON nesting depth of parsed values, iteratively (a deep body must not overflow the check itself).
import { expect, test } from "bun:test";
import { nestsDeeperThan } from "./json-depth.ts";

test.each([
  ['{"a":[1,{"b":2}]}', 3, false],
  ['{"a":[1,{"b":2}]}', 2, true],
  ['{"a":"[[[[[[[[[["}', 1, false],
  ['{"a":"\\"[[[[["}', 1, false],
  ['{"a":[],"b":{"c":[[[]]]}}', 5, false],
  ['{"a":[],"b":{"c":[[[]]]}}', 4, true],
  ["[".repeat(200) + "]".repeat(200), 128, true],
  ["[".repeat(128) + "]".repeat(128), 128, false],
  ['"[[["', 0, false],
])("%p deeper than %p: %p", (text, limit, expected) => {
  expect(nestsDeeperThan(JSON.parse(text), limit)).toBe(expected);
});

test("a body nested a million deep is judged without overflowing the stack", () => {
  const deep = JSON.parse(`${'{"a":'.repeat(1_000_000)}1${"}".repeat(1_000_000)}`);
  expect(nestsDeeperThan(deep, 128)).toBe(true);
});
