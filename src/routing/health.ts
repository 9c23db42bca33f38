// Provider health: consecutive failures, cooldowns, half-open trials, disabled targets. Clock injected.
// Kept behind HealthStore so several instances can later share it (Redis); in memory by default.
import type { FailureKind } from "../api/errors.ts";

export interface Target {
  providerId: string;
  model: string;
}

export interface HealthPolicy {
  failureThreshold: number;
  cooldownMs: number;
}

export const DEFAULT_HEALTH_POLICY: HealthPolicy = { failureThreshold: 3, cooldownMs: 5 * 60 * 1000 };
/** How long a 429 without any hint keeps a target out. */
export const DEFAULT_RATE_LIMIT_COOLDOWN_MS = 60_000;

export interface FailureReport {
  kind: FailureKind;
  status: number;
  message: string;
  /** For rate limits: how long the upstream asked us to wait. */
  retryAfterMs?: number;
  /** Counts on the whole provider (connection refused, bad key), not only this model. */
  providerWide?: boolean;
}

export type HealthState = "healthy" | "cooling_down" | "half_open" | "disabled";

export interface EntryStatus {
  state: HealthState;
  consecutive_failures: number;
  cooldown_until?: string;
  disabled_reason?: string;
  last_error?: { status: number; message: string; at: string };
}

export interface Availability {
  available: boolean;
  /** When an unavailable target comes back (ms since the epoch); absent when disabled. */
  until?: number;
  /** The target is out because an upstream rate limit asked for it. */
  rateLimited?: boolean;
  /** Out until the config changes (a refused key, an unknown model): the upstream's status and reason. */
  disabled?: { status: number; reason: string };
}

export interface HealthStore {
  /** Whether the target may be tried now; when not, `until` is when it comes back (ms), if ever. */
  availability(target: Target, policy: HealthPolicy): Availability;
  recordSuccess(target: Target): void;
  recordFailure(target: Target, failure: FailureReport, policy: HealthPolicy): void;
  /** Snapshot for GET / and /health: per provider and per "provider/model". */
  snapshot(): { providers: Record<string, EntryStatus>; targets: Record<string, EntryStatus> };
}

interface Entry {
  failures: number;
  cooldownUntil: number;
  rateLimited: boolean;
  /** A cooldown has run out: the next request is the trial; one failure starts a new cooldown. */
  halfOpen: boolean;
  /** When the trial request was let through; others wait for its outcome (or TRIAL_TIMEOUT_MS). */
  trialSince?: number;
  disabled?: { status: number; reason: string };
  lastError?: { status: number; message: string; at: number };
}

/** A trial whose outcome never came back (its client left) stops blocking others after this. */
export const TRIAL_TIMEOUT_MS = 60_000;
/** Targets remembered at most; client-chosen model names must not grow memory without bound. */
export const MAX_TRACKED_TARGETS = 2_000;

/** The answer for every target with no record: shared, as most requests get it. */
const AVAILABLE: Availability = Object.freeze({ available: true });

function newEntry(): Entry {
  return { failures: 0, cooldownUntil: 0, rateLimited: false, halfOpen: false };
}

export function createMemoryHealthStore(clock: () => number): HealthStore {
  const providers = new Map<string, Entry>();
  const targets = new Map<string, Entry>();
  const targetKey = (target: Target) => `${target.providerId}/${target.model}`;

  function get(map: Map<string, Entry>, key: string): Entry {
    let entry = map.get(key);
    if (!entry) {
      if (map.size >= MAX_TRACKED_TARGETS) {
        // Forget the oldest entry that is not out of service; Map keeps insertion order.
        for (const [oldKey, old] of map) {
          if (old.disabled === undefined && old.cooldownUntil === 0) {
            map.delete(oldKey);
            break;
          }
        }
      }
      entry = newEntry();
      map.set(key, entry);
    }
    return entry;
  }

  function entryAvailability(entry: Entry | undefined, now: number): Availability {
    if (!entry) return AVAILABLE;
    if (entry.disabled !== undefined) return { available: false, disabled: entry.disabled };
    if (entry.cooldownUntil > now) {
      return entry.rateLimited
        ? { available: false, until: entry.cooldownUntil, rateLimited: true }
        : { available: false, until: entry.cooldownUntil };
    }
    if (entry.cooldownUntil > 0) {
      entry.cooldownUntil = 0;
      entry.halfOpen = true;
    }
    if (entry.halfOpen) {
      if (entry.trialSince !== undefined && now - entry.trialSince < TRIAL_TIMEOUT_MS) {
        return { available: false, until: entry.trialSince + TRIAL_TIMEOUT_MS };
      }
      entry.trialSince = now;
    }
    return AVAILABLE;
  }

  function recover(entry: Entry | undefined): void {
    if (!entry) return;
    entry.failures = 0;
    entry.halfOpen = false;
    entry.trialSince = undefined;
    entry.cooldownUntil = 0;
  }

  function fail(entry: Entry, failure: FailureReport, policy: HealthPolicy, now: number): void {
    entry.lastError = { status: failure.status, message: failure.message, at: now };
    entry.trialSince = undefined;
    if (failure.kind === "misconfigured") {
      entry.disabled = { status: failure.status, reason: `HTTP ${failure.status}: ${failure.message}` };
      return;
    }
    if (failure.kind === "rate_limited") {
      entry.cooldownUntil = now + (failure.retryAfterMs ?? DEFAULT_RATE_LIMIT_COOLDOWN_MS);
      entry.rateLimited = true;
      entry.halfOpen = false;
      return;
    }
    entry.failures += 1;
    if (entry.halfOpen || entry.failures >= policy.failureThreshold) {
      entry.cooldownUntil = now + policy.cooldownMs;
      entry.rateLimited = false;
      entry.halfOpen = false;
    }
  }

  function status(entry: Entry, now: number): EntryStatus {
    const out: EntryStatus = { state: "healthy", consecutive_failures: entry.failures };
    if (entry.disabled !== undefined) {
      out.state = "disabled";
      out.disabled_reason = entry.disabled.reason;
    } else if (entry.cooldownUntil > now) {
      out.state = "cooling_down";
      out.cooldown_until = new Date(entry.cooldownUntil).toISOString();
    } else if (entry.halfOpen || entry.cooldownUntil > 0) {
      out.state = "half_open";
    }
    if (entry.lastError) {
      out.last_error = {
        status: entry.lastError.status,
        message: entry.lastError.message,
        at: new Date(entry.lastError.at).toISOString(),
      };
    }
    return out;
  }

  return {
    availability(target) {
      // Nothing has failed since start (or everything recovered and was forgotten): the common case, no lookups.
      if (providers.size === 0 && targets.size === 0) return AVAILABLE;
      const now = clock();
      const provider = entryAvailability(providers.get(target.providerId), now);
      if (!provider.available) return provider;
      return entryAvailability(targets.get(targetKey(target)), now);
    },
    recordSuccess(target) {
      if (providers.size > 0) recover(providers.get(target.providerId));
      if (targets.size > 0) recover(targets.get(targetKey(target)));
    },
    recordFailure(target, failure, policy) {
      const now = clock();
      const key = failure.providerWide ? target.providerId : targetKey(target);
      fail(get(failure.providerWide ? providers : targets, key), failure, policy, now);
    },
    snapshot() {
      const now = clock();
      const out = {
        providers: {} as Record<string, EntryStatus>,
        targets: {} as Record<string, EntryStatus>,
      };
      for (const [key, entry] of providers) out.providers[key] = status(entry, now);
      for (const [key, entry] of targets) out.targets[key] = status(entry, now);
      return out;
    },
  };
}
