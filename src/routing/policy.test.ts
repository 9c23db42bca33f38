// The retry/failover decision for each kind of failure.
import { describe, expect, test } from "bun:test";
import { type FailureKind, GatewayError, type RetryHints } from "../api/errors.ts";
import { decide } from "./policy.ts";

function error(kind: FailureKind, status: number, retryHints?: RetryHints): GatewayError {
  return new GatewayError("x", { status, type: "api_error", kind, retryHints });
}

const base = { maxRetryWaitMs: 5000, now: 0, random: () => 0.5 };

describe("decide", () => {
  test("client errors go back to the client", () => {
    expect(decide({ ...base, error: error("client", 400), attemptsOnTarget: 1 })).toEqual({ action: "fail" });
  });

  test("transient: one retry after 0.5-1 s, then next", () => {
    const first = decide({ ...base, error: error("transient", 503), attemptsOnTarget: 1 });
    expect(first.action).toBe("retry");
    if (first.action === "retry") {
      expect(first.delayMs).toBeGreaterThanOrEqual(500);
      expect(first.delayMs).toBeLessThanOrEqual(1000);
    }
    expect(decide({ ...base, error: error("transient", 503), attemptsOnTarget: 2 })).toEqual({
      action: "next",
    });
  });

  test("429 with a short hint waits it and retries; a long one moves on at once", () => {
    expect(
      decide({ ...base, error: error("rate_limited", 429, { retryAfter: "2" }), attemptsOnTarget: 1 }),
    ).toEqual({
      action: "retry",
      delayMs: 2000,
    });
    expect(
      decide({ ...base, error: error("rate_limited", 429, { retryAfter: "30" }), attemptsOnTarget: 1 }),
    ).toEqual({
      action: "next",
      retryAfterMs: 30_000,
    });
  });

  test("429 without a hint backs off about 1 s once, then moves on", () => {
    const first = decide({ ...base, error: error("rate_limited", 429), attemptsOnTarget: 1 });
    expect(first.action).toBe("retry");
    if (first.action === "retry") expect(first.delayMs).toBeGreaterThanOrEqual(1000);
    expect(decide({ ...base, error: error("rate_limited", 429), attemptsOnTarget: 2 }).action).toBe("next");
  });

  test("silent, context-length and misconfigured targets are never retried", () => {
    for (const kind of ["silent", "context_length", "misconfigured", "unsupported"] as const) {
      expect(decide({ ...base, error: error(kind, 504), attemptsOnTarget: 1 })).toEqual({ action: "next" });
    }
  });
});
