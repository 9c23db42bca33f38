// The app `serve` runs, rebuilt on each config reload around the state that outlives a config: health, rate
// budgets, usage and metrics (in memory or shared through Redis). A request is served to its end by the app that took it, on that app's config.
import type { LoadedConfig } from "../config/load.ts";
import { newId } from "../ids.ts";
import type { Logger } from "../log/logger.ts";
import { Monitor } from "../observe/monitor.ts";
import { createAdapters } from "../providers/registry.ts";
import { createPrefillRefusals } from "../routing/capabilities.ts";
import type { Connections, Runtime } from "../runtime/types.ts";
import { createApp } from "../server/app.ts";
import { type AppDeps, type ConfigStatus, DEFAULT_MAX_BODY_BYTES } from "../server/deps.ts";
import type { GatewayState } from "../state/shared-state.ts";
import { VERSION } from "../version.ts";

export interface LiveApp {
  fetch(request: Request, connections: Connections): Response | Promise<Response>;
  /** Builds the app for `config` and sends new requests to it; the one it replaces finishes what it holds. */
  swap(config: LoadedConfig): void;
  /** Set by the reloader: what /health says of the config. */
  configStatus: (() => ConfigStatus) | undefined;
}

export interface LiveAppOptions {
  logger: Logger;
  stopping: AbortSignal;
  listenHost: string;
  runtime: Runtime;
  /** Health, rate budgets and token counts: in memory, or shared through Redis. */
  state: GatewayState;
}

export function createLiveApp(config: LoadedConfig, options: LiveAppOptions): LiveApp {
  const clock = () => Date.now();
  const { logger } = options;
  const { health, rateLimiter, usage } = options.state;
  const lasting = {
    adapters: createAdapters({ clock, newId, logger }),
    health,
    rateLimiter,
    prefillRefusals: createPrefillRefusals(),
    monitor: new Monitor({ config, health, logger, version: VERSION, clock, usage }),
    startedAt: clock(),
    stateStatus: options.state.status,
  };
  const live: LiveApp = {
    fetch: (request, connections) => current.fetch(request, connections),
    swap(next) {
      const app = build(next);
      health.retain(new Set(Object.keys(next.providers)));
      lasting.monitor.reconfigure(next);
      current = app;
    },
    configStatus: undefined,
  };
  const build = (next: LoadedConfig) => {
    const deps: AppDeps = {
      ...lasting,
      config: next,
      logger,
      clock,
      random: Math.random,
      version: VERSION,
      maxBodyBytes: next.server.max_body_bytes ?? DEFAULT_MAX_BODY_BYTES,
      stopping: options.stopping,
      listenHost: options.listenHost,
      sseWriter: options.runtime.sseWriter,
      configStatus: () => live.configStatus?.(),
    };
    return createApp(deps);
  };
  let current = build(config);
  return live;
}
