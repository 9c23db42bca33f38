// Usage counted across instances: after each answer one script adds the request to the day's line of its key,
// provider and model in Redis (and its tokens to the day's count the budgets are checked against), not waited for;
// GET /v1/usage and the dashboard read the kept days in one pipelined round trip, bounded by the read timeout.
// Redis down or slow: this instance's own lines, with a note saying so. /metrics stays per instance.
import type { CanonicalUsage } from "../canonical/response.ts";
import { OTHER } from "../observe/label-bound.ts";
import { SEP } from "../observe/tally.ts";
import {
  byDayAndTokens,
  DAY_MS,
  DEFAULT_USAGE_KEEP_DAYS,
  DEFAULT_USAGE_MAX_LINES,
  emptyLine,
  type UsageLine,
  type UsageReport,
  type UsageStore,
  utcDay,
} from "../observe/usage.ts";
import { type RedisLink, script } from "./redis-link.ts";

/**
 * KEYS[1] the day's lines (hash: "<key> <provider> <model> <count>" -> n, the parts joined by SEP), KEYS[2] the
 * day's tokens per key (hash); ARGV: the line's field prefix, its "other" line's, input, output, cached and
 * reasoning tokens, key name, when the lines expire and when the tokens do (ms since the epoch), fields at most.
 * Past that many fields a new model is counted on its provider's "other" line, as in memory.
 */
const RECORD = script(`
local base = ARGV[1]
if redis.call('HEXISTS', KEYS[1], base .. 'r') == 0 and redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[10]) then
  base = ARGV[2]
end
redis.call('HINCRBY', KEYS[1], base .. 'r', 1)
local counts = {'i', 'o', 'c', 'g'}
for i = 1, 4 do
  local n = tonumber(ARGV[2 + i])
  if n > 0 then redis.call('HINCRBY', KEYS[1], base .. counts[i], n) end
end
redis.call('PEXPIREAT', KEYS[1], ARGV[8])
local tokens = tonumber(ARGV[3]) + tonumber(ARGV[4])
if tokens > 0 then
  redis.call('HINCRBY', KEYS[2], ARGV[7], tokens)
  redis.call('PEXPIREAT', KEYS[2], ARGV[9])
end
return 1
`);

/** The fields of a line: requests, input, output, cached, reasoning. */
const FIELDS = { r: "requests", i: "input", o: "output", c: "cached", g: "reasoning" } as const;
const FIELDS_PER_LINE = Object.keys(FIELDS).length;

/** A day's tokens per key: what the key check's script (shared-limits.ts) reads tokens_per_day against. */
export const tokensKey = (prefix: string, at: number) => `${prefix}:tokens:${utcDay(at).day}`;
const linesKey = (prefix: string, day: string) => `${prefix}:usage:${day}`;

export interface SharedUsageOptions {
  keepDays?: number;
  maxLines?: number;
}

export function createSharedUsageStore(
  link: RedisLink,
  local: UsageStore,
  options: SharedUsageOptions = {},
): UsageStore {
  const keepDays = options.keepDays ?? DEFAULT_USAGE_KEEP_DAYS;
  const maxFields = (options.maxLines ?? DEFAULT_USAGE_MAX_LINES) * FIELDS_PER_LINE;

  const fromHere = (filter: Filter, now: number, note: string): UsageReport => ({
    ...(local.report(filter, now) as UsageReport),
    note: `${note}: these are this instance's requests only`,
  });

  return {
    record(key: string, provider: string, model: string, usage: CanonicalUsage | undefined, at: number) {
      local.record(key, provider, model, usage, at);
      const { day, endsAt } = utcDay(at);
      link.send(
        RECORD,
        [linesKey(link.prefix, day), tokensKey(link.prefix, at)],
        [
          [key, provider, model, ""].join(SEP),
          [key, provider, OTHER, ""].join(SEP),
          usage?.inputTokens ?? 0,
          usage?.outputTokens ?? 0,
          usage?.cacheReadTokens ?? 0,
          usage?.reasoningTokens ?? 0,
          key,
          // Kept `keepDays` days, this one included; the tokens a day past their day, for every instance's last check.
          endsAt + (keepDays - 1) * DAY_MS,
          endsAt + DAY_MS,
          maxFields,
        ],
      );
    },
    tokensOn: (key, at) => local.tokensOn(key, at),
    lines: (filter) => local.lines(filter),
    totals: () => local.totals(),
    async report(filter, now) {
      if (!link.isShared) return fromHere(filter, now, "redis is unavailable");
      const days = filter.day !== undefined ? [filter.day] : keptDays(now, keepDays);
      const hashes = await link.readHashes([
        ...days.map((day) => linesKey(link.prefix, day)),
        tokensKey(link.prefix, now),
      ]);
      if (!hashes) return fromHere(filter, now, "redis did not answer in time");
      const today = hashes[days.length] ?? {};
      const lines = days.flatMap((day, index) => linesOf(day, hashes[index] ?? {}, filter.key));
      return { lines: lines.sort(byDayAndTokens), usedToday: (key) => Number(today[key] ?? 0), shared: true };
    },
  };
}

type Filter = { key?: string | undefined; day?: string | undefined };

/** The UTC days kept, today first. */
function keptDays(now: number, keepDays: number): string[] {
  return Array.from({ length: keepDays }, (_, back) => utcDay(now - back * DAY_MS).day);
}

/** A day's hash back as lines; a field that is not one of ours is passed over. */
function linesOf(day: string, hash: Record<string, string>, key: string | undefined): UsageLine[] {
  const lines = new Map<string, UsageLine>();
  for (const [field, value] of Object.entries(hash)) {
    const parts = field.split(SEP);
    const count = FIELDS[parts.pop() as keyof typeof FIELDS];
    // The model is the one part a client chooses: whatever it holds, it is what lies between provider and count.
    if (count === undefined || parts.length < 3) continue;
    const [name, provider] = parts as [string, string];
    if (key !== undefined && name !== key) continue;
    const id = parts.join(SEP);
    let line = lines.get(id);
    if (!line) {
      line = { ...emptyLine(name, provider, parts.slice(2).join(SEP)), day };
      lines.set(id, line);
    }
    line[count] = Number(value) || 0;
  }
  return [...lines.values()];
}
