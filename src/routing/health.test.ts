// Health over an injected clock: failures, cooldown, probes during it, the trial after it, rate limits, disabling.
import { beforeEach, describe, expect, test } from "bun:test";
import {
  createMemoryHealthStore,
  type FailureReport,
  type HealthPolicy,
  type HealthStore,
  MAX_TRACKED_TARGETS,
  PROBE_TIMEOUT_MS,
  type Target,
} from "./health.ts";

const policy: HealthPolicy = { failureThreshold: 3, cooldownMs: 300_000, probeIntervalMs: 10_000 };
const target = { providerId: "p", model: "m" };
const other = { providerId: "p", model: "other" };
const transient: FailureReport = { kind: "transient", status: 503, message: "unavailable" };
const reset: FailureReport = { kind: "transient", status: 502, message: "reset", providerWide: true };

let now: number;
let health: HealthStore;

beforeEach(() => {
  now = 1_000_000;
  health = createMemoryHealthStore(() => now);
});

const fail = (on: Target, report: FailureReport = transient) =>
  health.record(on, { kind: "failure", report }, policy);
const succeed = (on: Target) => health.record(on, { kind: "success" }, policy);
const neutral = (on: Target) => health.record(on, { kind: "neutral" }, policy);
const takeOut = () => {
  for (let i = 0; i < 3; i++) fail(target);
};

describe("consecutive failures", () => {
  test("two failures keep a target in; the third takes it out for the cooldown", () => {
    fail(target);
    fail(target);
    expect(health.availability(target, policy).available).toBe(true);
    fail(target);
    expect(health.availability(target, policy)).toEqual({ available: false, until: now + 10_000 });
    expect(health.availability(other, policy).available).toBe(true);
    const status = health.snapshot().targets["p/m"];
    expect(status?.state).toBe("cooling_down");
    expect(status?.cooldown_until).toBe(new Date(now + 300_000).toISOString());
    expect(status?.next_probe_at).toBe(new Date(now + 10_000).toISOString());
    expect(status?.last_error?.status).toBe(503);
  });

  test("a success resets the count", () => {
    fail(target);
    fail(target);
    succeed(target);
    fail(target);
    fail(target);
    expect(health.availability(target, policy).available).toBe(true);
  });

  test("memory stays bounded however many model names clients invent", () => {
    for (let i = 0; i < MAX_TRACKED_TARGETS + 500; i++) fail({ providerId: "p", model: `made-up-${i}` });
    expect(Object.keys(health.snapshot().targets).length).toBeLessThanOrEqual(MAX_TRACKED_TARGETS);
  });
});

describe("probes during a cooldown", () => {
  test("one request every probe interval is let through; the others are refused meanwhile", () => {
    takeOut();
    now += 9_999;
    expect(health.availability(target, policy).available).toBe(false);
    now += 1;
    expect(health.availability(target, policy)).toEqual({ available: true, probe: true });
    // The probe is in flight: nobody else goes.
    expect(health.availability(target, policy).available).toBe(false);
  });

  test("a successful probe brings the target back at once", () => {
    takeOut();
    now += 10_000;
    expect(health.availability(target, policy).probe).toBe(true);
    succeed(target);
    expect(health.availability(target, policy)).toEqual({ available: true });
    expect(health.snapshot().targets["p/m"]?.state).toBe("healthy");
  });

  test("a failed probe waits an interval for the next, and never lengthens the cooldown", () => {
    takeOut();
    const cooldownEnds = now + 300_000;
    for (let probe = 0; probe < 29; probe++) {
      now += 10_000;
      expect(health.availability(target, policy).probe).toBe(true);
      fail(target);
      expect(health.availability(target, policy).available).toBe(false);
    }
    expect(health.snapshot().targets["p/m"]?.cooldown_until).toBe(new Date(cooldownEnds).toISOString());
  });

  test("a probe whose outcome says nothing about the target (client's fault, client gone) frees the slot", () => {
    takeOut();
    now += 10_000;
    expect(health.availability(target, policy).probe).toBe(true);
    neutral(target);
    expect(health.availability(target, policy).probe).toBe(true);
  });

  test("a probe that never reports stops blocking others after the probe timeout", () => {
    takeOut();
    now += 10_000;
    expect(health.availability(target, policy).probe).toBe(true);
    now += PROBE_TIMEOUT_MS - 1;
    expect(health.availability(target, policy).available).toBe(false);
    now += 1;
    expect(health.availability(target, policy).probe).toBe(true);
  });

  test("a rate limit's Retry-After is never probed early", () => {
    fail(target, { kind: "rate_limited", status: 429, message: "slow down", retryAfterMs: 120_000 });
    for (let i = 0; i < 11; i++) {
      now += 10_000;
      expect(health.availability(target, policy).available).toBe(false);
    }
    now += 10_001;
    expect(health.availability(target, policy).available).toBe(true);
  });

  test("a probe granted on a provider is not taken when its model is out anyway", () => {
    for (let i = 0; i < 3; i++) fail(target, reset);
    fail(target, { kind: "misconfigured", status: 404, message: "no such model" });
    now += 10_000;
    expect(health.availability(target, policy).available).toBe(false);
    // The provider's probe is still free for its other models.
    expect(health.availability(other, policy).probe).toBe(true);
  });
});

describe("the trial after a cooldown", () => {
  const afterCooldown = () => {
    takeOut();
    now += 300_001;
  };

  test("after the cooldown the target is half-open: one trial, and a failed one starts a new cooldown", () => {
    afterCooldown();
    expect(health.availability(target, policy)).toEqual({ available: true, probe: true });
    expect(health.snapshot().targets["p/m"]?.state).toBe("half_open");
    expect(health.availability(target, policy).available).toBe(false);
    fail(target);
    expect(health.snapshot().targets["p/m"]?.cooldown_until).toBe(new Date(now + 300_000).toISOString());
  });

  test("a successful trial restores the target fully", () => {
    afterCooldown();
    expect(health.availability(target, policy).probe).toBe(true);
    succeed(target);
    expect(health.snapshot().targets["p/m"]?.state).toBe("healthy");
    fail(target);
    expect(health.availability(target, policy).available).toBe(true);
  });

  test("a trial cut by a reset (filed on the provider) still ends the model's trial with a new cooldown", () => {
    const short: HealthPolicy = { ...policy, cooldownMs: 1_000, probeIntervalMs: 10_000 };
    for (let i = 0; i < 3; i++) health.record(target, { kind: "failure", report: transient }, short);
    now += 1_001;
    expect(health.availability(target, short).probe).toBe(true);
    health.record(target, { kind: "failure", report: reset }, short);
    // Out for the configured cooldown (1 s), not for a trial timeout.
    now += 999;
    expect(health.availability(target, short).available).toBe(false);
    now += 2;
    expect(health.availability(target, short).probe).toBe(true);
    health.record(target, { kind: "success" }, short);
    expect(health.availability(target, short)).toEqual({ available: true });
  });

  test("a trial that ends with the client's own error releases the slot and counts as no failure", () => {
    afterCooldown();
    expect(health.availability(target, policy).probe).toBe(true);
    neutral(target);
    expect(health.availability(target, policy).probe).toBe(true);
    expect(health.snapshot().targets["p/m"]?.state).toBe("half_open");
  });
});

describe("rate limits and misconfiguration", () => {
  test("a 429 takes the target out at once for its Retry-After", () => {
    fail(target, { kind: "rate_limited", status: 429, message: "slow down", retryAfterMs: 20_000 });
    expect(health.availability(target, policy)).toEqual({
      available: false,
      until: now + 20_000,
      rateLimited: true,
    });
    now += 20_001;
    expect(health.availability(target, policy).available).toBe(true);
  });

  test("a 429 without a hint keeps it out for 60 s", () => {
    fail(target, { kind: "rate_limited", status: 429, message: "slow down" });
    expect(health.availability(target, policy)).toEqual({
      available: false,
      until: now + 60_000,
      rateLimited: true,
    });
  });

  test("a misconfigured target is disabled with its reason, whatever the time, and never probed", () => {
    fail(target, { kind: "misconfigured", status: 404, message: "no such model" });
    now += 10 * 24 * 3600 * 1000;
    expect(health.availability(target, policy)).toEqual({
      available: false,
      disabled: { status: 404, reason: "HTTP 404: no such model" },
    });
    expect(health.snapshot().targets["p/m"]).toMatchObject({
      state: "disabled",
      disabled_reason: "HTTP 404: no such model",
    });
  });

  test("a provider-wide fault takes every model of the provider out", () => {
    fail(target, { ...transient, kind: "misconfigured", status: 401, providerWide: true });
    expect(health.availability(other, policy).available).toBe(false);
    expect(health.snapshot().providers.p?.state).toBe("disabled");
  });
});
