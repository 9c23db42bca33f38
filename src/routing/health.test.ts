// Cooldown lifecycle with an injected clock: 3 failures, cooldown, half-open trial, success and failure.
import { beforeEach, describe, expect, test } from "bun:test";
import {
  createMemoryHealthStore,
  type FailureReport,
  type HealthPolicy,
  type HealthStore,
  MAX_TRACKED_TARGETS,
  TRIAL_TIMEOUT_MS,
} from "./health.ts";

const policy: HealthPolicy = { failureThreshold: 3, cooldownMs: 300_000 };
const target = { providerId: "p", model: "m" };
const other = { providerId: "p", model: "other" };
const transient: FailureReport = { kind: "transient", status: 503, message: "unavailable" };

let now: number;
let health: HealthStore;

beforeEach(() => {
  now = 1_000_000;
  health = createMemoryHealthStore(() => now);
});

describe("consecutive failures", () => {
  test("two failures keep a target in; the third takes it out for the cooldown", () => {
    health.recordFailure(target, transient, policy);
    health.recordFailure(target, transient, policy);
    expect(health.availability(target, policy).available).toBe(true);
    health.recordFailure(target, transient, policy);
    expect(health.availability(target, policy)).toEqual({ available: false, until: now + 300_000 });
    expect(health.availability(other, policy).available).toBe(true);
    expect(health.snapshot().targets["p/m"]?.state).toBe("cooling_down");
    expect(health.snapshot().targets["p/m"]?.last_error?.status).toBe(503);
  });

  test("a success resets the count", () => {
    health.recordFailure(target, transient, policy);
    health.recordFailure(target, transient, policy);
    health.recordSuccess(target);
    health.recordFailure(target, transient, policy);
    health.recordFailure(target, transient, policy);
    expect(health.availability(target, policy).available).toBe(true);
  });

  test("after the cooldown the target is half-open: one failure starts a new cooldown", () => {
    for (let i = 0; i < 3; i++) health.recordFailure(target, transient, policy);
    now += 300_001;
    expect(health.availability(target, policy).available).toBe(true);
    expect(health.snapshot().targets["p/m"]?.state).toBe("half_open");
    health.recordFailure(target, transient, policy);
    expect(health.availability(target, policy)).toEqual({ available: false, until: now + 300_000 });
  });

  test("only one request is the trial; the others wait for its outcome, or for the trial timeout", () => {
    for (let i = 0; i < 3; i++) health.recordFailure(target, transient, policy);
    now += 300_001;
    expect(health.availability(target, policy).available).toBe(true);
    expect(health.availability(target, policy)).toEqual({ available: false, until: now + TRIAL_TIMEOUT_MS });
    now += TRIAL_TIMEOUT_MS;
    expect(health.availability(target, policy).available).toBe(true);
    health.recordSuccess(target);
    expect(health.availability(target, policy).available).toBe(true);
    expect(health.availability(target, policy).available).toBe(true);
  });

  test("memory stays bounded however many model names clients invent", () => {
    for (let i = 0; i < MAX_TRACKED_TARGETS + 500; i++) {
      health.recordFailure({ providerId: "p", model: `made-up-${i}` }, transient, policy);
    }
    expect(Object.keys(health.snapshot().targets).length).toBeLessThanOrEqual(MAX_TRACKED_TARGETS);
  });

  test("a successful trial restores the target fully", () => {
    for (let i = 0; i < 3; i++) health.recordFailure(target, transient, policy);
    now += 300_001;
    expect(health.availability(target, policy).available).toBe(true);
    health.recordSuccess(target);
    expect(health.snapshot().targets["p/m"]?.state).toBe("healthy");
    health.recordFailure(target, transient, policy);
    expect(health.availability(target, policy).available).toBe(true);
  });
});

describe("rate limits and misconfiguration", () => {
  test("a 429 takes the target out at once for its Retry-After", () => {
    health.recordFailure(
      target,
      { kind: "rate_limited", status: 429, message: "slow down", retryAfterMs: 20_000 },
      policy,
    );
    expect(health.availability(target, policy)).toEqual({
      available: false,
      until: now + 20_000,
      rateLimited: true,
    });
    now += 20_001;
    expect(health.availability(target, policy).available).toBe(true);
  });

  test("a 429 without a hint keeps it out for 60 s", () => {
    health.recordFailure(target, { kind: "rate_limited", status: 429, message: "slow down" }, policy);
    expect(health.availability(target, policy)).toEqual({
      available: false,
      until: now + 60_000,
      rateLimited: true,
    });
  });

  test("a misconfigured target is disabled with its reason, whatever the time", () => {
    health.recordFailure(target, { kind: "misconfigured", status: 404, message: "no such model" }, policy);
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
    health.recordFailure(
      target,
      { ...transient, kind: "misconfigured", status: 401, providerWide: true },
      policy,
    );
    expect(health.availability(other, policy).available).toBe(false);
    expect(health.snapshot().providers.p?.state).toBe("disabled");
  });
});
