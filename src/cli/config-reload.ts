// Config hot reload for `serve`: the config dir is watched and SIGHUP reloads; a new config is validated in full and
// swapped in whole, and on any error the one in force stays, with the error logged and shown in /health.
import { type FSWatcher, readFileSync, watch } from "node:fs";
import { join } from "node:path";
import type { LoadedConfig } from "../config/load.ts";
import type { Logger } from "../log/logger.ts";
import type { ConfigStatus } from "../server/deps.ts";

export interface ConfigReloader {
  status(): ConfigStatus;
  /** Reads, validates and applies the config dir now; what changed is logged. */
  reload(trigger: string): void;
  close(): void;
}

export interface ReloadOptions {
  dir: string;
  /** Reads and validates the whole config; throws (ConfigError) if anything is wrong. */
  load: () => LoadedConfig;
  /**
   * Swaps the new config in, or throws to refuse it; returns the settings that changed but take effect only on a
   * restart (the listening address...).
   */
  apply: (config: LoadedConfig) => string[];
  logger: Logger;
  clock: () => number;
  /** Editors write a file in steps (truncate, write, rename): one reload after they are done. */
  debounceMs?: number;
}

const CONFIG_FILES = ["providers.json", "rotations.json", "aisbf.json"];
const DEFAULT_DEBOUNCE_MS = 150;

/** The config files' text as it is now: a watch event on a file saved unchanged is no reason to reload. */
function fingerprint(dir: string): string {
  return CONFIG_FILES.map((name) => {
    try {
      return readFileSync(join(dir, name), "utf8");
    } catch {
      return "\u0000missing";
    }
  }).join("\u0000");
}

export function watchConfig(options: ReloadOptions): ConfigReloader {
  const { dir, logger, clock } = options;
  const state: ConfigStatus = { loaded_at: new Date(clock()).toISOString(), reloads: 0 };
  let seen = fingerprint(dir);
  let timer: ReturnType<typeof setTimeout> | undefined;

  function reload(trigger: string): void {
    seen = fingerprint(dir);
    let config: LoadedConfig;
    let restartNeeded: string[];
    try {
      config = options.load();
      restartNeeded = options.apply(config);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      state.last_error = { message, at: new Date(clock()).toISOString() };
      logger.error("config reload refused; the config in force stays", { trigger, error: message });
      return;
    }
    state.reloads += 1;
    state.loaded_at = new Date(clock()).toISOString();
    delete state.last_error;
    logger.info("config reloaded", { trigger, dir });
    for (const warning of config.warnings) logger.warn(warning);
    for (const setting of restartNeeded) {
      logger.warn(`config reload: ${setting} changed; it takes effect on the next restart`);
    }
  }

  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dir, (_event, name) => {
      if (name !== null && !CONFIG_FILES.includes(String(name))) return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (fingerprint(dir) !== seen) reload("file change");
      }, options.debounceMs ?? DEFAULT_DEBOUNCE_MS);
    });
  } catch (error) {
    // A dir that cannot be watched (some network file systems) still reloads on SIGHUP.
    logger.warn("cannot watch the config dir; reload it with SIGHUP", {
      dir,
      error: error instanceof Error ? error.message : String(error),
    });
  }

  return {
    status: () => ({ ...state, ...(state.last_error ? { last_error: { ...state.last_error } } : {}) }),
    reload,
    close() {
      clearTimeout(timer);
      watcher?.close();
    },
  };
}
