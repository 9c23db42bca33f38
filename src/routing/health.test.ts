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

const fail = (on: Target, report: FailureReport = transient, probe?: number) =>
  health.record(on, { kind: "failure", report }, policy, probe);
const succeed = (on: Target, probe?: number) => health.record(on, { kind: "success" }, policy, probe);
const neutral = (on: Target, probe?: number) => health.record(on, { kind: "neutral" }, policy, probe);
/** Asks as a request would; the probe token when this request is the probe, else undefined. */
const probeOf = (on: Target, with_: HealthPolicy = policy) => health.availability(on, with_).probe;
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
    expect(probeOf(target)).toBeNumber();
    // The probe is in flight: nobody else goes.
    expect(health.availability(target, policy).available).toBe(false);
  });

  test("a successful probe brings the target back at once", () => {
    takeOut();
    now += 10_000;
    succeed(target, probeOf(target));
    expect(health.availability(target, policy)).toEqual({ available: true });
    expect(health.snapshot().targets["p/m"]?.state).toBe("healthy");
  });

  test("a failed probe waits an interval for the next, and never lengthens the cooldown", () => {
    takeOut();
    const cooldownEnds = now + 300_000;
    for (let round = 0; round < 29; round++) {
      now += 10_000;
      const probe = probeOf(target);
      expect(probe).toBeNumber();
      fail(target, transient, probe);
      expect(health.availability(target, policy).available).toBe(false);
    }
    expect(health.snapshot().targets["p/m"]?.cooldown_until).toBe(new Date(cooldownEnds).toISOString());
  });

  test("a probe whose outcome says nothing about the target (client's fault, client gone) frees the slot", () => {
    takeOut();
    now += 10_000;
    neutral(target, probeOf(target));
    expect(probeOf(target)).toBeNumber();
  });

  test("only the probe's own outcome ends it: a late report from another request does not free the slot", () => {
    takeOut();
    now += 10_000;
    const probe = probeOf(target);
    neutral(target);
    fail(target);
    expect(health.availability(target, policy).available).toBe(false);
    succeed(target, probe);
    expect(health.availability(target, policy)).toEqual({ available: true });
  });

  test("a probe that never reports stops blocking others after the probe timeout", () => {
    takeOut();
    now += 10_000;
    expect(probeOf(target)).toBeNumber();
    now += PROBE_TIMEOUT_MS - 1;
    expect(health.availability(target, policy).available).toBe(false);
    now += 1;
    expect(probeOf(target)).toBeNumber();
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
    fail(target, { kind: "misconfigured", status: 404, message: "no such model" });
    for (let i = 0; i < 3; i++) fail(target, reset);
    now += 10_000;
    expect(health.availability(target, policy).available).toBe(false);
    // The provider's probe is still free for its other models.
    expect(probeOf(other)).toBeNumber();
  });

  test("an HTTP answer from a model proves its provider reachable: the provider-wide outage ends", () => {
    for (let i = 0; i < 3; i++) fail(target, reset);
    now += 300_001;
    const probe = probeOf(other);
    fail(other, { kind: "rate_limited", status: 429, message: "slow down", retryAfterMs: 1_000 }, probe);
    expect(health.snapshot().providers.p?.state).toBe("healthy");
    expect(health.availability(target, policy)).toEqual({ available: true });
  });
});

describe("the trial after a cooldown", () => {
  const afterCooldown = () => {
    takeOut();
    now += 300_001;
  };

  test("after the cooldown the target is half-open: one trial, and a failed one starts a new cooldown", () => {
    afterCooldown();
    const trial = probeOf(target);
    expect(trial).toBeNumber();
    expect(health.snapshot().targets["p/m"]?.state).toBe("half_open");
    expect(health.availability(target, policy).available).toBe(false);
    fail(target, transient, trial);
    expect(health.snapshot().targets["p/m"]?.cooldown_until).toBe(new Date(now + 300_000).toISOString());
  });

  test("a successful trial restores the target fully", () => {
    afterCooldown();
    succeed(target, probeOf(target));
    expect(health.snapshot().targets["p/m"]?.state).toBe("healthy");
    fail(target);
    expect(health.availability(target, policy).available).toBe(true);
  });

  test("a trial cut by a reset (filed on the provider) still ends the model's trial with a new cooldown", () => {
    const short: HealthPolicy = { ...policy, cooldownMs: 1_000, probeIntervalMs: 10_000 };
    for (let i = 0; i < 3; i++) health.record(target, { kind: "failure", report: transient }, short);
    now += 1_001;
    const trial = probeOf(target, short);
    expect(trial).toBeNumber();
    health.record(target, { kind: "failure", report: reset }, short, trial);
    // Out for the configured cooldown (1 s), not for a trial timeout.
    now += 999;
    expect(health.availability(target, short).available).toBe(false);
    now += 2;
    const next = probeOf(target, short);
    expect(next).toBeNumber();
    health.record(target, { kind: "success" }, short, next);
    expect(health.availability(target, short)).toEqual({ available: true });
  });

  test("a trial that ends with the client's own error releases the slot and counts as no failure", () => {
    afterCooldown();
    neutral(target, probeOf(target));
    expect(probeOf(target)).toBeNumber();
    expect(health.snapshot().targets["p/m"]?.state).toBe("half_open");
  });

  test("a late failure from a request older than the trial neither ends it nor restarts the cooldown", () => {
    afterCooldown();
    const trial = probeOf(target);
    fail(target);
    expect(health.snapshot().targets["p/m"]?.state).toBe("half_open");
    succeed(target, trial);
    expect(health.snapshot().targets["p/m"]?.state).toBe("healthy");
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

describe("after a config reload (retain)", () => {
  test("providers still configured keep their state; the others are forgotten", () => {
    takeOut();
    fail({ providerId: "q", model: "m" }, reset);
    fail({ providerId: "gone", model: "m" }, { kind: "misconfigured", status: 401, message: "bad key" });
    health.retain(new Set(["p", "q"]));
    const snapshot = health.snapshot();
    expect(snapshot.targets["p/m"]?.state).toBe("cooling_down");
    expect(snapshot.providers.q?.consecutive_failures).toBe(1);
    expect(snapshot.targets["gone/m"]).toBeUndefined();
    expect(health.availability(target, policy).available).toBe(false);
    expect(health.availability({ providerId: "gone", model: "m" }, policy).available).toBe(true);
  });
});

describe("entries kept for other instances (shareable, adopt)", () => {
  const rateLimited: FailureReport = {
    kind: "rate_limited",
    status: 429,
    message: "slow down",
    retryAfterMs: 30_000,
  };

  test("a rate limit is kept until its Retry-After, a count for a cooldown, a success keeps nothing", () => {
    const store = createMemoryHealthStore(() => now);
    store.record(target, { kind: "failure", report: rateLimited }, policy);
    const [onProvider, onTarget] = store.shareable(target, policy);
    expect(onProvider.entry).toBeUndefined();
    expect(onTarget).toMatchObject({ scope: "target", id: "p/m", until: now + 30_000 });
    expect(onTarget.entry).toMatchObject({ rateLimited: true, outUntil: now + 30_000 });
    store.record(other, { kind: "failure", report: transient }, policy);
    expect(store.shareable(other, policy)[1]).toMatchObject({ until: now + policy.cooldownMs });
    expect(store.shareable(other, policy)[1].entry).toMatchObject({ failures: 1, outUntil: 0 });
    store.record(other, { kind: "success" }, policy);
    expect(store.shareable(other, policy)[1].entry).toBeUndefined();
  });

  test("a disabled target is not kept for the others: a restart with a fixed config tries it again", () => {
    const store = createMemoryHealthStore(() => now);
    store.record(
      target,
      { kind: "failure", report: { ...transient, kind: "misconfigured", status: 401 } },
      policy,
    );
    expect(store.shareable(target, policy)[1].entry).toBeUndefined();
  });

  test("adopted: the later cooldown and the higher count win; a cooldown already over is not", () => {
    const store = createMemoryHealthStore(() => now);
    store.adopt("target", "p/m", { failures: 0, outUntil: now - 1, rateLimited: true, nextProbeAt: 0 });
    expect(store.snapshot().targets["p/m"]).toBeUndefined();
    store.adopt("target", "p/m", { failures: 2, outUntil: now + 30_000, rateLimited: true, nextProbeAt: 0 });
    expect(store.availability(target, policy)).toEqual({
      available: false,
      until: now + 30_000,
      rateLimited: true,
    });
    store.adopt("target", "p/m", { failures: 1, outUntil: now + 10_000, rateLimited: false, nextProbeAt: 0 });
    expect(store.snapshot().targets["p/m"]).toMatchObject({ state: "cooling_down", consecutive_failures: 2 });
    expect(store.availability(target, policy).until).toBe(now + 30_000);
    expect(store.cooling()).toEqual([
      expect.objectContaining({ scope: "target", id: "p/m", until: now + 30_000 }),
    ]);
  });
});
