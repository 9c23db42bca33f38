// Client keys' request rates, daily token budgets and concurrency across instances: one Lua script per request reads
// the key's tokens today, takes one request from its per-minute bucket and a slot among its requests in flight,
// atomically, in one round trip; the slot is given back without waiting. Redis down or slow: this instance's own
// limiter, token counts and in-flight count answer.
import type { RateLimiter } from "../server/rate-limit.ts";
import { type RedisLink, script } from "./redis-link.ts";
import { tokensKey } from "./shared-usage.ts";

/**
 * KEYS[1] the key's bucket (hash t = tokens left, a = when), KEYS[2] today's tokens per key (hash), KEYS[3] the key's
 * requests in flight (sorted set: one member per request, scored by the end of its lease);
 * ARGV: now (ms), requests per minute (0: none), tokens per day (0: none), key name, concurrent requests (0: none),
 * this request's member, lease (ms).
 * Returns {0} allowed (and the slot taken), {1, ms} rate limited (wait), {2, used} over the budget, {3, held} all
 * slots taken; nothing is taken when refused.
 */
const CHECK = script(`
local now = tonumber(ARGV[1])
local per = tonumber(ARGV[2])
local budget = tonumber(ARGV[3])
local concurrent = tonumber(ARGV[5])
if budget > 0 then
  local used = tonumber(redis.call('HGET', KEYS[2], ARGV[4]) or '0')
  if used >= budget then return {2, used} end
end
if concurrent > 0 then
  -- A lease that ran out is a request whose instance is gone: its slot is free again.
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
  local held = redis.call('ZCARD', KEYS[3])
  if held >= concurrent then return {3, held} end
end
if per > 0 then
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
end
if concurrent > 0 then
  local lease = tonumber(ARGV[7])
  redis.call('ZADD', KEYS[3], now + lease, ARGV[6])
  redis.call('PEXPIRE', KEYS[3], lease)
end
return {0}
`);

/** KEYS[1] a key's requests in flight; ARGV[1] the member given back. */
const RELEASE = script("return redis.call('ZREM', KEYS[1], ARGV[1])");
/** KEYS[1] a key's requests in flight; ARGV: new lease end, lease (ms), then the members this instance still holds. */
const RENEW = script(`
for i = 3, #ARGV do redis.call('ZADD', KEYS[1], 'XX', ARGV[1], ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`);

/**
 * How long a fleet-wide slot is held without news from its instance. Renewed every third of it while the request
 * runs (a long stream), so only a crashed or cut-off instance lets one lapse, and then within this.
 */
export const DEFAULT_SLOT_LEASE_MS = 30_000;

export interface SharedLimiterOptions {
  /** This instance's id: the members of its slots start with it. */
  instance: string;
  clock: () => number;
  leaseMs?: number;
}

export function createSharedRateLimiter(
  link: RedisLink,
  local: RateLimiter,
  options: SharedLimiterOptions,
): RateLimiter {
  const leaseMs = options.leaseMs ?? DEFAULT_SLOT_LEASE_MS;
  const slots = new HeldSlots(link, leaseMs, options.clock);
  let taken = 0;
  return {
    async check(id, limits, budgets) {
      const now = budgets.clock();
      const slotsKey = `${link.prefix}:inflight:${id}`;
      const member = limits.concurrent === undefined ? "" : `${options.instance}:${++taken}`;
      const answer = await link.run(
        CHECK,
        [`${link.prefix}:rate:${id}`, tokensKey(link.prefix, now), slotsKey],
        [now, limits.perMinute ?? 0, limits.tokensPerDay ?? 0, id, limits.concurrent ?? 0, member, leaseMs],
      );
      // Redis not there: the limits hold per instance, concurrency by the gate's own count.
      if (!Array.isArray(answer)) return local.check(id, limits, budgets);
      const [code, value] = answer.map(Number);
      if (code === 2)
        return { kind: "over_budget", used: Math.max(value ?? 0, budgets.usage.tokensOn(id, now)) };
      if (code === 1) return { kind: "rate_limited", retryAfterMs: value ?? 1000 };
      if (code === 3) return { kind: "too_many_concurrent", limit: limits.concurrent ?? 0 };
      if (limits.concurrent === undefined) return { kind: "allowed" };
      return { kind: "allowed", release: slots.hold(slotsKey, member) };
    },
  };
}

/**
 * The fleet-wide slots this instance holds, per key: renewed together on one timer while any is held, given back
 * without waiting. A give-back lost to a Redis outage costs nothing lasting: that slot is not renewed, and lapses.
 */
class HeldSlots {
  private readonly held = new Map<string, Set<string>>();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly link: RedisLink,
    private readonly leaseMs: number,
    private readonly clock: () => number,
  ) {}

  /** Records the slot taken; returns its give-back. */
  hold(key: string, member: string): () => void {
    let members = this.held.get(key);
    if (!members) {
      members = new Set();
      this.held.set(key, members);
    }
    members.add(member);
    this.timer ??= setInterval(() => this.renew(), Math.max(1, Math.floor(this.leaseMs / 3)));
    return () => this.release(key, member);
  }

  private release(key: string, member: string): void {
    const members = this.held.get(key);
    if (!members?.delete(member)) return;
    if (members.size === 0) this.held.delete(key);
    if (this.held.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
    this.link.send(RELEASE, [key], [member]);
  }

  private renew(): void {
    const until = this.clock() + this.leaseMs;
    for (const [key, members] of this.held) this.link.send(RENEW, [key], [until, this.leaseMs, ...members]);
  }
}
