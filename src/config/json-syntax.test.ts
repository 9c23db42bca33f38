// The JSON mistake finder: each common hand-editing mistake gets its line, column and a name, and valid JSON none.
import { describe, expect, test } from "bun:test";
import { findJsonSyntaxProblem } from "./json-syntax.ts";

// [case, text, line, column, words the problem must contain]
const CASES: [string, string, number, number, string][] = [
  ["trailing comma in an object", '{\n  "a": 1,\n  "b": 2,\n}\n', 3, 9, "trailing comma before '}'"],
  ["trailing comma in an array", '{"a": [1, 2,]}', 1, 12, "trailing comma before ']'"],
  ["missing comma between properties", '{\n  "a": 1\n  "b": 2\n}', 3, 3, "missing ',' before this property"],
  ["missing comma between values", '{"a": [1 2]}', 1, 10, "missing ',' before this value"],
  ["unclosed brace", '{\n  "a": {\n    "b": 1\n  }\n', 5, 1, "'{' opened at line 1, column 1 is closed"],
  ["unclosed bracket", '{"a": [1, 2', 1, 12, "'[' opened at line 1, column 7 is closed"],
  ["bad token: a misspelt literal", '{\n  "a": tru\n}', 2, 8, "'tru' is not a JSON value"],
  ["bad token: an unquoted string", '{"a": hello world}', 1, 7, "'hello' is not a JSON value"],
  ["bad token: a stray character", '{"a": 1 ;}', 1, 9, "found ';'"],
  [
    "truncated inside a string",
    '{\n  "a": "abc',
    2,
    12,
    "the file ends inside the string begun at line 2, column 8",
  ],
  ["truncated after a colon", '{"a": ', 1, 7, "the file ends where a value was expected"],
  ["truncated after a name", '{"a"', 1, 5, "the file ends after a property name"],
  ["single-quoted name", "{\n  'a': 1\n}", 2, 3, "single quote"],
  ["single-quoted value", "{\"a\": 'x'}", 1, 7, "single quote"],
  ["line comment", '{\n  // the keys\n  "a": 1\n}', 2, 3, "comment"],
  ["block comment", '{"a": 1 /* one */}', 1, 9, "comment"],
  ["unquoted property name", "{ a: 1 }", 1, 3, "property name without quotes"],
  ["missing colon", '{"a" 1}', 1, 6, "expected ':'"],
  ["leading zero", '{"port": 08080}', 1, 10, "leading zero"],
  ["hex number", '{"port": 0x50}', 1, 10, "not a JSON number"],
  ["string not closed on its line", '{\n  "a": "x,\n  "b": 2\n}', 2, 11, "not closed on its line"],
  ["a tab inside a string", '{"a": "x\ty"}', 1, 9, "inside a string"],
  ["bad escape", '{"path": "C:\\dir"}', 1, 13, "'\\d' is not a JSON escape"],
  ["empty file", "", 1, 1, "the file is empty"],
  ["only space", " \n ", 2, 2, "the file is empty"],
  ["two values", '{"a": 1}\n{"b": 2}', 2, 1, "after the end of the JSON value"],
  ["a byte order mark inside", '{"a":\uFEFF 1}', 1, 6, "byte order mark (U+FEFF, invisible)"],
  ["a no-break space", '{"a":\u00a01}', 1, 6, "invisible character (U+00A0)"],
  ["typographic quotes", '{"a": \u201cx\u201d}', 1, 7, "typographic quote"],
  ["column counts characters, not UTF-16 units", '{"\u{1F600}": 1,}', 1, 8, "trailing comma"],
];

describe("findJsonSyntaxProblem", () => {
  test.each(CASES)("%s", (_name, text, line, column, words) => {
    expect(() => JSON.parse(text)).toThrow();
    const found = findJsonSyntaxProblem(text);
    expect(found).toMatchObject({ line, column });
    expect(found?.problem).toContain(words);
  });

  test("finds nothing in valid JSON of every kind", () => {
    const valid = '{"a": [1, -2.5e+3, 0, true, false, null, "x\\n\\u00e9\\"", {}, []], "b": {"c": {}}}';
    expect(() => JSON.parse(valid)).not.toThrow();
    expect(findJsonSyntaxProblem(valid)).toBeUndefined();
  });

  test("a long unquoted word is not echoed: it may be a pasted key", () => {
    const found = findJsonSyntaxProblem('{"api_key": abcdefghijklmnopqrstuvwxyz0123}');
    expect(found?.problem).toContain("an unquoted word");
    expect(found?.problem).not.toContain("abcdefghij");
  });

  test("nesting too deep to scan gives no finding instead of overflowing the stack", () => {
    expect(findJsonSyntaxProblem(`${"[".repeat(100_000)}x`)).toBeUndefined();
  });
});
