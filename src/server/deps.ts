// What createApp needs, handed in from the top so tests can build as many apps as they like.
import type { LoadedConfig } from "../config/load.ts";
import type { ProviderType } from "../config/schema.ts";
import type { Logger } from "../log/logger.ts";
import type { Monitor } from "../observe/monitor.ts";
import type { Clock, ProviderAdapter } from "../providers/types.ts";
import type { PrefillRefusals } from "../routing/capabilities.ts";
import type { HealthStore } from "../routing/health.ts";
import type { SseWriter } from "../runtime/sse-writer.ts";
import type { Connections } from "../runtime/types.ts";
import type { RateLimiter } from "./rate-limit.ts";

export interface AppDeps {
  config: LoadedConfig;
  adapters: Record<ProviderType, ProviderAdapter>;
  health: HealthStore;
  logger: Logger;
  clock: Clock;
  random: () => number;
  version: string;
  /** When the server started (ms since the epoch), for uptime. */
  startedAt: number;
  /** Largest request body in bytes; default 10 MiB. */
  maxBodyBytes?: number;
  /** Requests-per-minute budgets of client keys; in memory unless given. */
  rateLimiter?: RateLimiter;
  /** Targets that refused to continue a cut stream; one memory per app, made by createApp when not given. */
  prefillRefusals?: PrefillRefusals;
  /** Writes streamed answers into their responses: the runtime's own (Bun's direct stream); standard if unset. */
  sseWriter?: SseWriter;
  /** Aborts when the shutdown grace ends: each stream still open then gets the reason as its final error event. */
  stopping?: AbortSignal;
  /** The address the server listens on; Host is checked on a loopback one. Undefined counts as loopback. */
  listenHost?: string;
  /** Request traces, the access log and metrics; one per app, made by createApp when not given. */
  monitor?: Monitor;
  /** What /health says of the config in force (serve's hot reload); absent when nothing reloads it. */
  configStatus?: () => ConfigStatus | undefined;
  /** Where state lives (Redis or memory); memory unless given. */
  stateStatus?: () => StateStatus;
}

/** What /health and `aisbf status` say of where health, rate budgets and token counts live. */
export type StateStatus =
  | { backend: "memory" }
  | {
      backend: "redis";
      /** shared: through Redis; local: Redis is down or slow, and this instance goes on with its own state. */
      mode: "shared" | "local";
      prefix: string;
      /** Since when this mode holds. */
      since: string;
      last_error?: string;
    };

/** The config in force: when it was loaded, and the last reload refused while it stayed. */
export interface ConfigStatus {
  loaded_at: string;
  /** Reloads applied since start. */
  reloads: number;
  last_error?: { message: string; at: string };
}

/**
 * The deps the routes run with: createApp fills in what an app keeps for its lifetime, one of each for all its
 * routes (a key's requests per minute are one budget, whichever dialect it speaks).
 */
export type ServingDeps = AppDeps & {
  prefillRefusals: PrefillRefusals;
  monitor: Monitor;
  rateLimiter: RateLimiter;
};

/** Hono's env for the app: the runtime's connection controls (app.request() in tests passes none). */
export type AppEnv = { Bindings: Connections };

export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;
/** Bun's own default; long enough that keep-alive clients (which idle ~4-5 s) close first. */
export const DEFAULT_IDLE_TIMEOUT_SECONDS = 10;

/** Every secret the gateway holds, for redaction of logs and error bodies. */
export function configuredSecrets(config: LoadedConfig): string[] {
  return [
    ...Object.values(config.providers).flatMap((provider) => (provider.api_key ? [provider.api_key] : [])),
    // Header values may carry credentials too (an Azure api-key, a proxy token); short ones are not secrets.
    ...Object.values(config.providers).flatMap((provider) =>
      Object.values(provider.headers ?? {}).filter((value) => value.length >= 12),
    ),
    ...config.clientKeys.flatMap((key) => (key.plaintext ? [key.plaintext] : [])),
    ...redisPassword(config),
  ];
}

/** The password in state.redis, if the URL carries one. */
function redisPassword(config: LoadedConfig): string[] {
  const url = config.server.state?.redis;
  if (!url) return [];
  try {
    const password = decodeURIComponent(new URL(url).password);
    return password.length >= 4 ? [password] : [];
  } catch {
    return [];
  }
}

/** With client keys configured, callers authenticate and their bearer is never forwarded upstream. */
export function clientAuthOn(config: LoadedConfig): boolean {
  return config.clientKeys.length > 0;
}
