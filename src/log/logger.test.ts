// The logger redacts secrets whatever a caller passes it: header fields, configured keys, bearer tokens in text.
import { expect, test } from "bun:test";
import { createLogger } from "./logger.ts";

function capture(format: "text" | "json", level: "debug" | "warn" = "debug") {
  const lines: string[] = [];
  const logger = createLogger({
    level,
    format,
    write: (line) => lines.push(line),
    secrets: () => ["cfg-secret-value-1234"],
    now: () => new Date("2026-01-01T00:00:00Z"),
  });
  return { lines, logger };
}

test("secret header fields are redacted at any depth, in both formats", () => {
  for (const format of ["text", "json"] as const) {
    const { lines, logger } = capture(format);
    logger.info("request", {
      headers: { authorization: "Bearer abc", "x-api-key": "k1", "X-Goog-Api-Key": "k2", accept: "json" },
      api_key: "k3",
    });
    const line = lines.join("\n");
    for (const secret of ["Bearer abc", "k1", "k2", "k3"]) expect(line).not.toContain(`"${secret}"`);
    expect(line).toContain("json");
    expect(line).toContain("[redacted]");
  }
});

test("configured key values and bearer tokens are blanked inside free text and errors", () => {
  const { lines, logger } = capture("text");
  logger.warn("upstream said: Incorrect API key cfg-secret-value-1234", {
    reason: new Error("auth Bearer tok_abcdefghijkl failed"),
    nested: ["sk-proj-aaaaaaaaaaaaaaaa"],
  });
  const line = lines.join("\n");
  expect(line).not.toContain("cfg-secret-value-1234");
  expect(line).not.toContain("tok_abcdefghijkl");
  expect(line).not.toContain("sk-proj-aaaaaaaaaaaaaaaa");
});

test("levels below the threshold are dropped; JSON lines parse", () => {
  const { lines, logger } = capture("json", "warn");
  logger.debug("hidden");
  logger.info("hidden");
  logger.error("shown", { provider: "openai" });
  expect(lines).toHaveLength(1);
  expect(JSON.parse(lines[0] ?? "{}")).toEqual({
    time: "2026-01-01T00:00:00.000Z",
    level: "error",
    msg: "shown",
    provider: "openai",
  });
});

test("enabled says which levels the threshold lets through", () => {
  const { logger } = capture("text", "warn");
  expect(["debug", "info", "warn", "error"].map((level) => logger.enabled?.(level as "debug"))).toEqual([
    false,
    false,
    true,
    true,
  ]);
});
