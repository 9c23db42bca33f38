// A client key's request rate (a token bucket per minute) and its daily token budget, checked together in one step:
// in memory, or shared by several instances through Redis (state/shared-limits.ts), where the step also takes the
// key's fleet-wide concurrency slot.
import type { UsageStore } from "../observe/usage.ts";

/** Where a key's tokens today are read (tokens_per_day). */
export interface Budgets {
  usage: UsageStore;
  clock: () => number;
}

export interface KeyLimits {
  perMinute?: number | undefined;
  tokensPerDay?: number | undefined;
  /**
   * Requests in flight across the instances sharing state. In memory there is no fleet: the gate's own count
   * (admission.ts) is the limit, and this is not looked at.
   */
  concurrent?: number | undefined;
}

export type KeyVerdict =
  /** `release`: a fleet-wide slot was taken, to give back when the answer is sent. */
  | { kind: "allowed"; release?: () => void }
  | { kind: "over_budget"; used: number }
  | { kind: "rate_limited"; retryAfterMs: number }
  | { kind: "too_many_concurrent"; limit: number };

export interface RateLimiter {
  /**
   * One request of `id`: refused if its tokens today reached the budget or its fleet-wide slots are all taken (no
   * request taken then), else one request is taken from its per-minute budget (and a slot), or it says how long
   * until one is there.
   */
  check(id: string, limits: KeyLimits, budgets: Budgets): KeyVerdict | Promise<KeyVerdict>;
}

const ALLOWED: KeyVerdict = Object.freeze({ kind: "allowed" });

export function createMemoryRateLimiter(clock: () => number): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const take = (id: string, perMinute: number): KeyVerdict => {
    const now = clock();
    const ratePerMs = perMinute / 60_000;
    const bucket = buckets.get(id) ?? { tokens: perMinute, at: now };
    bucket.tokens = Math.min(perMinute, bucket.tokens + (now - bucket.at) * ratePerMs);
    bucket.at = now;
    buckets.set(id, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return ALLOWED;
    }
    return { kind: "rate_limited", retryAfterMs: Math.ceil((1 - bucket.tokens) / ratePerMs) };
  };
  return {
    check(id, limits, budgets) {
      if (limits.tokensPerDay !== undefined) {
        const used = budgets.usage.tokensOn(id, budgets.clock());
        if (used >= limits.tokensPerDay) return { kind: "over_budget", used };
      }
      return limits.perMinute === undefined ? ALLOWED : take(id, limits.perMinute);
    },
  };
}
