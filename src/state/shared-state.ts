// The state several instances share when aisbf.json names a Redis (state.redis): health, probe claims, key rate
// budgets and concurrency, usage and token counts, each behind the interface its in-memory version has. Without it, nothing here runs.
import type { LoadedConfig } from "../config/load.ts";
import type { Logger } from "../log/logger.ts";
import { createMemoryUsageStore, type UsageStore } from "../observe/usage.ts";
import { createMemoryHealthStore, type HealthStore } from "../routing/health.ts";
import type { StateStatus } from "../server/deps.ts";
import { createMemoryRateLimiter, type RateLimiter } from "../server/rate-limit.ts";
import { RedisLink } from "./redis-link.ts";
import { createSharedHealthStore } from "./shared-health.ts";
import { createSharedRateLimiter } from "./shared-limits.ts";
import { createSharedUsageStore } from "./shared-usage.ts";

export const DEFAULT_STATE_PREFIX = "aisbf";
/** A request waits at most this long on Redis before going on with local state. */
export const DEFAULT_STATE_TIMEOUT_MS = 5;
/** At start, how long the first requests may be served before Redis is there: they would go local otherwise. */
const FIRST_CONNECT_MS = 1000;

export interface GatewayState {
  health: HealthStore;
  rateLimiter: RateLimiter;
  usage: UsageStore;
  status(): StateStatus;
  close(): Promise<void>;
}

export async function openState(
  config: LoadedConfig,
  options: { logger: Logger; clock: () => number; instance: string },
): Promise<GatewayState> {
  const { logger, clock } = options;
  const localHealth = createMemoryHealthStore(clock);
  const localLimiter = createMemoryRateLimiter(clock);
  const localUsage = createMemoryUsageStore();
  const settings = config.server.state;
  if (!settings) {
    return {
      health: localHealth,
      rateLimiter: localLimiter,
      usage: localUsage,
      status: () => ({ backend: "memory" }),
      close: async () => {},
    };
  }
  const link = await RedisLink.open({
    url: settings.redis,
    prefix: settings.prefix ?? DEFAULT_STATE_PREFIX,
    timeoutMs: settings.timeout_ms ?? DEFAULT_STATE_TIMEOUT_MS,
    logger,
    clock,
  });
  const health = await createSharedHealthStore({
    local: localHealth,
    link,
    instance: options.instance,
    logger,
    clock,
  });
  await link.ready(FIRST_CONNECT_MS);
  return {
    health,
    rateLimiter: createSharedRateLimiter(link, localLimiter, { instance: options.instance, clock }),
    usage: createSharedUsageStore(link, localUsage),
    status: () => link.status(),
    close: () => link.close(),
  };
}
