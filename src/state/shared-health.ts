// Health shared by several instances: each keeps its own store (answers come from memory, no round trip), and every
// outcome that changes something is published to the others, who replay it; a probe of a target that is out is
// claimed in Redis first, so one instance probes and the others wait for its outcome. Redis down: local only.
import { z } from "zod";
import type { Logger } from "../log/logger.ts";
import {
  type HealthPolicy,
  type MemoryHealthStore,
  type Outcome,
  PROBE_TIMEOUT_MS,
  type HealthStore,
  type Target,
} from "../routing/health.ts";
import { type RedisLink, script } from "./redis-link.ts";

/** SET NX with an expiry: a probe owner that dies frees the target after PROBE_TIMEOUT_MS. */
const CLAIM = script("return redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) and 1 or 0");
const PUBLISH = script("return redis.call('PUBLISH', KEYS[1], ARGV[1])");
/** A probe's outcome published and its claim freed (if this instance still holds it) in one round trip. */
const PUBLISH_AND_RELEASE = script(
  "redis.call('PUBLISH', KEYS[1], ARGV[1]) if redis.call('GET', KEYS[2]) == ARGV[2] then redis.call('DEL', KEYS[2]) end return 1",
);

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

export interface SharedHealthOptions {
  local: MemoryHealthStore;
  link: RedisLink;
  /** This instance's id: its own events, coming back through the channel, are not replayed. */
  instance: string;
  logger: Logger;
}

export async function createSharedHealthStore(options: SharedHealthOptions): Promise<HealthStore> {
  const { local, link, instance } = options;
  const channel = `${link.prefix}:health`;
  const claimKey = (target: Target) => `${link.prefix}:probe:${target.providerId}/${target.model}`;
  /** Probes this instance claimed in Redis, by token: their outcome frees the claim. */
  const claimed = new Map<number, string>();

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
    const message = JSON.stringify(event);
    if (claim === undefined) link.send(PUBLISH, [channel], [message]);
    else link.send(PUBLISH_AND_RELEASE, [channel, claim], [message, instance]);
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
