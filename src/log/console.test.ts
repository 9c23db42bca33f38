// Console output from libraries goes through the logger: every method, so JSON mode stays all JSON.
import { afterEach, expect, test } from "bun:test";
import { routeConsoleTo } from "./console.ts";
import { createLogger } from "./logger.ts";

const original = { ...console };
afterEach(() => {
  Object.assign(console, original);
});

test("log, info, debug, warn, error and trace each become one JSON line, redacted", () => {
  const lines: string[] = [];
  routeConsoleTo(createLogger({ level: "debug", format: "json", write: (line) => lines.push(line) }));
  console.log("log", { n: 1 });
  console.info("info");
  console.debug("debug");
  console.warn("warn with Bearer sk-abcdefghijklmnop");
  console.error("error");
  console.trace("trace");
  Object.assign(console, original);
  const parsed = lines.map((line) => JSON.parse(line) as { level: string; msg: string });
  expect(parsed.map((line) => [line.level, line.msg])).toEqual([
    ["info", "log { n: 1 }"],
    ["info", "info"],
    ["debug", "debug"],
    ["warn", "warn with Bearer [redacted]"],
    ["error", "error"],
    ["debug", "trace"],
  ]);
});
