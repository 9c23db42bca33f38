// Health shared by several instances: each keeps its own store (answers come from memory, no round trip), and every
// outcome that changes something is published to the others, who replay it, and written to Redis as the entries it
// leaves (expiring with their cooldown), which an instance that starts or rejoins loads; a probe of a target that is
// out is claimed in Redis first, so one instance probes and the others wait for its outcome. Redis down: local only.
import { z } from "zod";
import type { Logger } from "../log/logger.ts";
import {
  type HealthPolicy,
  type HealthStore,
  MAX_TRACKED_TARGETS,
  type MemoryHealthStore,
  type Outcome,
  PROBE_TIMEOUT_MS,
  type SharedEntryAt,
  type Target,
} from "../routing/health.ts";
import { globEscape, type RedisLink, script } from "./redis-link.ts";

/** SET NX with an expiry: a probe owner that dies frees the target after PROBE_TIMEOUT_MS. */
const CLAIM = script("return redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) and 1 or 0");
/**
 * An outcome in one round trip: published (KEYS[1], ARGV[1]); the provider's and the target's entries it leaves
 * written to expire at their deadline, or deleted when there is nothing left to know (KEYS[2..3], ARGV[2..5]: value
 * or "", expiry in ms since the epoch); a probe's claim freed if this instance still holds it (KEYS[4], ARGV[6]).
 */
const RECORD = script(`
redis.call('PUBLISH', KEYS[1], ARGV[1])
for i = 0, 1 do
  local value = ARGV[2 + 2 * i]
  if value == '' then redis.call('DEL', KEYS[2 + i])
  else redis.call('SET', KEYS[2 + i], value, 'PXAT', ARGV[3 + 2 * i]) end
end
if KEYS[4] and redis.call('GET', KEYS[4]) == ARGV[6] then redis.call('DEL', KEYS[4]) end
return 1
`);
/** A cooldown put back after a rejoin (a Redis that restarted empty), unless Redis keeps one that lasts longer. */
const PUT_BACK = script(`
local left = redis.call('PTTL', KEYS[1])
if left >= tonumber(ARGV[3]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[2])
return 1
`);

/** A stored entry, read back with zod: anything in Redis is outside input. */
const sharedEntrySchema = z.object({
  failures: z.number(),
  outUntil: z.number(),
  rateLimited: z.boolean(),
  nextProbeAt: z.number(),
  lastError: z.object({ status: z.number(), message: z.string(), at: z.number() }).optional(),
});

/** What an instance publishes; read back with zod, as anything from outside. */
const eventSchema = z.object({
  from: z.string(),
  target: z.object({ providerId: z.string(), model: z.string() }),
  outcome: z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("success") }),
    z.object({ kind: z.literal("neutral") }),
    z.object({
      kind: z.literal("failure"),
      report: z.object({
        kind: z.enum([
          "client",
          "transient",
          "rate_limited",
          "silent",
          "context_length",
          "misconfigured",
          "unsupported",
          "internal",
          "bad_response",
        ]),
        status: z.number(),
        message: z.string(),
        retryAfterMs: z.number().optional(),
        providerWide: z.boolean().optional(),
      }),
    }),
  ]),
  policy: z.object({ failureThreshold: z.number(), cooldownMs: z.number(), probeIntervalMs: z.number() }),
  probe: z.boolean(),
});
type HealthEvent = z.infer<typeof eventSchema>;

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export interface SharedHealthOptions {
  local: MemoryHealthStore;
  link: RedisLink;
  /** This instance's id: its own events, coming back through the channel, are not replayed. */
  instance: string;
  logger: Logger;
  clock: () => number;
}

export async function createSharedHealthStore(options: SharedHealthOptions): Promise<HealthStore> {
  const { local, link, instance } = options;
  const channel = `${link.prefix}:health`;
  const claimKey = (target: Target) => `${link.prefix}:probe:${target.providerId}/${target.model}`;
  const entryPrefix = `${link.prefix}:health:`;
  const entryKey = (at: Pick<SharedEntryAt, "scope" | "id">) =>
    `${entryPrefix}${at.scope === "provider" ? "p" : "t"}:${at.id}`;
  /** Probes this instance claimed in Redis, by token: their outcome frees the claim. */
  const claimed = new Map<number, string>();

  /** On the first connect and each rejoin: what the others keep is loaded, and what only this one knows put back. */
  link.onJoin(async () => {
    const stored = await link.scanValues(`${globEscape(entryPrefix)}*`, 2 * MAX_TRACKED_TARGETS);
    for (const [key, value] of stored ?? []) {
      const rest = key.slice(entryPrefix.length);
      const scope = rest.startsWith("p:") ? "provider" : rest.startsWith("t:") ? "target" : undefined;
      const parsed = sharedEntrySchema.safeParse(safeJson(value));
      if (scope && parsed.success) local.adopt(scope, rest.slice(2), parsed.data);
    }
    const now = options.clock();
    for (const at of local.cooling()) {
      link.send(PUT_BACK, [entryKey(at)], [JSON.stringify(at.entry), at.until, at.until - now]);
    }
  });

  await link.subscribe(channel, (message) => {
    let event: HealthEvent;
    try {
      event = eventSchema.parse(JSON.parse(message));
    } catch {
      options.logger.debug("ignored a health message that is not one of ours", { channel });
      return;
    }
    if (event.from === instance) return;
    local.recordPeer(event.target, event.outcome as Outcome, event.policy, event.probe);
  });

  const publish = (target: Target, outcome: Outcome, policy: HealthPolicy, probe: number | undefined) => {
    const claim = probe === undefined ? undefined : claimed.get(probe);
    if (probe !== undefined) claimed.delete(probe);
    const event: HealthEvent = { from: instance, target, outcome, policy, probe: claim !== undefined };
    const [onProvider, onTarget] = local.shareable(target, policy);
    const keys = [channel, entryKey(onProvider), entryKey(onTarget)];
    const args: (string | number)[] = [JSON.stringify(event)];
    for (const at of [onProvider, onTarget]) args.push(at.entry ? JSON.stringify(at.entry) : "", at.until);
    if (claim !== undefined) {
      keys.push(claim);
      args.push(instance);
    }
    link.send(RECORD, keys, args);
  };

  return {
    availability: (target, policy) => local.availability(target, policy),
    async claimProbe(target, probe) {
      const key = claimKey(target);
      const won = await link.run(CLAIM, [key], [instance, PROBE_TIMEOUT_MS]);
      // Redis not there: this instance decides alone, as a single instance would.
      if (won === undefined) return true;
      if (won === 1) {
        claimed.set(probe, key);
        return true;
      }
      // Another instance probes: this one's probe stays "in flight" here until that outcome arrives (or times out).
      return false;
    },
    record(target, outcome, policy, probe) {
      const claim = probe !== undefined && claimed.has(probe);
      // Not news, not published: a success on a target nobody knows anything against (every request's outcome), or
      // a neutral outcome that ends no claimed probe.
      const news =
        claim || outcome.kind === "failure" || (outcome.kind === "success" && local.troubled(target));
      local.record(target, outcome, policy, probe);
      if (news) publish(target, outcome, policy, probe);
    },
    snapshot: () => local.snapshot(),
    retain: (providerIds) => local.retain(providerIds),
  };
}
