// Model names that reach upstream URLs: what is accepted and what is refused.
import { expect, test } from "bun:test";
import { checkModelName } from "./resolve.ts";

const accepts = (name: string) => {
  try {
    checkModelName(name);
    return true;
  } catch {
    return false;
  }
};

test("names, path segments and the characters a model may use", () => {
  for (const name of [
    "gpt-4.1-mini",
    "models/gemini-2.5-pro",
    "a..b",
    "a/...",
    "a/..b/c",
    "A:b@c+d",
    "a/./b",
  ]) {
    expect([name, accepts(name)]).toEqual([name, true]);
  }
  for (const name of ["", "a//b", "a/", "a/../b", "a/..", "..", "/a", ".a", "a/%2e", "a b", "a?b", "a#b"]) {
    expect([name, accepts(name)]).toEqual([name, false]);
  }
});
