// Requests per minute per client key: a token bucket, in memory (behind an interface so it can move to Redis).

export interface RateLimiter {
  /** Takes one request from `id`'s budget; when none is left, says how long until one is. */
  take(id: string, perMinute: number): { allowed: true } | { allowed: false; retryAfterMs: number };
}

export function createMemoryRateLimiter(clock: () => number): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(id, perMinute) {
      const now = clock();
      const ratePerMs = perMinute / 60_000;
      const bucket = buckets.get(id) ?? { tokens: perMinute, at: now };
      bucket.tokens = Math.min(perMinute, bucket.tokens + (now - bucket.at) * ratePerMs);
      bucket.at = now;
      buckets.set(id, bucket);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return { allowed: true };
      }
      return { allowed: false, retryAfterMs: Math.ceil((1 - bucket.tokens) / ratePerMs) };
    },
  };
}
