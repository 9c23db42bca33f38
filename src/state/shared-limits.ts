// Client keys' request rates and daily token budgets across instances: one Lua script per request reads the key's
// tokens today and takes one request from its per-minute bucket, atomically, in one round trip. Redis down or slow:
// this instance's own limiter and token counts answer.
import type { CanonicalUsage } from "../canonical/response.ts";
import { utcDay, type UsageLine, type UsageStore } from "../observe/usage.ts";
import type { RateLimiter } from "../server/rate-limit.ts";
import { type RedisLink, script } from "./redis-link.ts";

/**
 * KEYS[1] the key's bucket (hash t = tokens left, a = when), KEYS[2] today's tokens per key (hash);
 * ARGV: now (ms), requests per minute (0: none), tokens per day (0: none), key name.
 * Returns {0} allowed, {1, ms} rate limited (wait), {2, used} over the budget (no request taken).
 */
const CHECK = script(`
local now = tonumber(ARGV[1])
local per = tonumber(ARGV[2])
local budget = tonumber(ARGV[3])
if budget > 0 then
  local used = tonumber(redis.call('HGET', KEYS[2], ARGV[4]) or '0')
  if used >= budget then return {2, used} end
end
if per == 0 then return {0} end
local bucket = redis.call('HMGET', KEYS[1], 't', 'a')
local tokens = tonumber(bucket[1]) or per
local at = tonumber(bucket[2]) or now
local rate = per / 60000
if now > at then
  tokens = math.min(per, tokens + (now - at) * rate)
  at = now
end
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) / rate) end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'a', tostring(at))
-- A full bucket is the same as none: it lives as long as it takes to refill.
redis.call('PEXPIRE', KEYS[1], math.ceil(60000 * (per - tokens) / per) + 1000)
if wait > 0 then return {1, wait} end
return {0}
`);

/** KEYS[1] a day's tokens per key; ARGV: key name, tokens, ms to keep the day. */
const ADD_TOKENS = script(`
redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`);

/** A day's counts are kept a day past its end: long enough for every instance's last check of it. */
const KEEP_DAY_MS = 2 * 86_400_000;

const tokensKey = (prefix: string, at: number) => `${prefix}:tokens:${utcDay(at).day}`;

export function createSharedRateLimiter(link: RedisLink, local: RateLimiter): RateLimiter {
  return {
    async check(id, limits, budgets) {
      const now = budgets.clock();
      const answer = await link.run(
        CHECK,
        [`${link.prefix}:rate:${id}`, tokensKey(link.prefix, now)],
        [now, limits.perMinute ?? 0, limits.tokensPerDay ?? 0, id],
      );
      if (!Array.isArray(answer)) return local.check(id, limits, budgets);
      const [code, value] = answer.map(Number);
      if (code === 2)
        return { kind: "over_budget", used: Math.max(value ?? 0, budgets.usage.tokensOn(id, now)) };
      if (code === 1) return { kind: "rate_limited", retryAfterMs: value ?? 1000 };
      return { kind: "allowed" };
    },
  };
}

/**
 * Usage counted here as before (GET /v1/usage, /metrics: per instance), and each key's tokens added to the shared
 * day's count the budgets are checked against; that write is not waited for.
 */
export function createSharedUsageStore(link: RedisLink, local: UsageStore): UsageStore {
  return {
    record(key: string, provider: string, model: string, usage: CanonicalUsage | undefined, at: number) {
      local.record(key, provider, model, usage, at);
      const tokens = usage ? usage.inputTokens + usage.outputTokens : 0;
      if (tokens > 0) link.send(ADD_TOKENS, [tokensKey(link.prefix, at)], [key, tokens, KEEP_DAY_MS]);
    },
    tokensOn: (key, at) => local.tokensOn(key, at),
    lines: (filter): UsageLine[] => local.lines(filter),
    totals: () => local.totals(),
  };
}
