// Retry hints: retry-after-ms, then Retry-After as seconds or HTTP-date, then Gemini RetryInfo.
import { describe, expect, test } from "bun:test";
import { parseDuration, parseRetryAfterHeader, retryDelayMs } from "./retry-after.ts";

const now = Date.parse("2026-01-01T00:00:00Z");

describe("retry hints", () => {
  test.each([
    ["7", 7000],
    ["1.5", 1500],
    ["0", 0],
    ["Thu, 01 Jan 2026 00:00:30 GMT", 30_000],
    ["Wed, 31 Dec 2025 23:59:00 GMT", 0],
  ])("Retry-After %p -> %p ms", (value, expected) => {
    expect(parseRetryAfterHeader(value, now)).toBe(expected);
  });

  test("garbage gives no hint", () => {
    expect(parseRetryAfterHeader("soon", now)).toBeUndefined();
    expect(parseRetryAfterHeader("-5", now)).toBeUndefined();
    expect(parseDuration("abc")).toBeUndefined();
  });

  test("Gemini durations", () => {
    expect(parseDuration("23s")).toBe(23_000);
    expect(parseDuration("0.250s")).toBe(250);
  });

  test("X-RateLimit-Reset as epoch ms or seconds, last of all", () => {
    expect(retryDelayMs({ rateLimitReset: String(now + 42_000) }, now)).toBe(42_000);
    expect(retryDelayMs({ rateLimitReset: String(Math.floor(now / 1000) + 9) }, now)).toBe(9000);
    expect(retryDelayMs({ rateLimitReset: "6m0s" }, now)).toBeUndefined();
    expect(retryDelayMs({ retryAfter: "3", rateLimitReset: String(now + 42_000) }, now)).toBe(3000);
  });

  test("retry-after-ms wins over Retry-After, which wins over RetryInfo", () => {
    expect(retryDelayMs({ retryAfterMs: "120", retryAfter: "9", retryDelay: "30s" }, now)).toBe(120);
    expect(retryDelayMs({ retryAfter: "9", retryDelay: "30s" }, now)).toBe(9000);
    expect(retryDelayMs({ retryDelay: "30s" }, now)).toBe(30_000);
    expect(retryDelayMs({ retryAfterMs: "nope", retryAfter: "2" }, now)).toBe(2000);
    expect(retryDelayMs(undefined, now)).toBeUndefined();
    expect(retryDelayMs({}, now)).toBeUndefined();
  });
});
