// `aisbf serve` (the default command): load config, start the server, stop gracefully on SIGINT/SIGTERM.
import { parseArgs } from "node:util";
import { ConfigError, type LoadedConfig, loadConfig, prepareConfig } from "../config/load.ts";
import { resolveConfigDir } from "../config/paths.ts";
import { routeConsoleTo } from "../log/console.ts";
import { createLogger, type Logger } from "../log/logger.ts";
import { currentRuntime, type RunningServer, type Runtime } from "../runtime/index.ts";
import { bindRefusal } from "../server/bind-safety.ts";
import { configuredSecrets, DEFAULT_IDLE_TIMEOUT_SECONDS, DEFAULT_MAX_BODY_BYTES } from "../server/deps.ts";
import { openState } from "../state/shared-state.ts";
import { watchConfig } from "./config-reload.ts";
import { claimPidFile, localUrl, recordForcedStop, removeDaemonFiles, stateFileFor } from "./daemon-files.ts";
import { rejectEmptyValues } from "./flag-values.ts";
import { ForcedStop } from "./forced-stop.ts";
import { createLiveApp, type LiveApp } from "./live-app.ts";
import { LoggedError } from "./logged-error.ts";
import {
  DEFAULT_HOST,
  DEFAULT_PORT,
  DEFAULT_SHUTDOWN_GRACE_S,
  listenAddress,
  logSettings,
  SERVER_OPTIONS,
  shutdownGraceMs,
} from "./server-settings.ts";
import { waitForShutdown } from "./shutdown.ts";
import { reportStartup, startupSummary } from "./startup-summary.ts";

export const SERVE_HELP = `Usage: aisbf [serve] [options]

Runs the gateway in the foreground.

Options:
  --host HOST          address to listen on (default ${DEFAULT_HOST}; env AISBF_HOST)
  --port PORT          port to listen on (default ${DEFAULT_PORT}; env AISBF_PORT)
  --config-dir DIR     config directory (default: env AISBF_CONFIG_DIR, else ~/.aisbf)
  --log-level LEVEL    debug | info | warn | error (default info)
  --log-format FORMAT  text | json (default text; json: every line on stderr is one JSON object)
  --insecure-no-auth   listen beyond loopback with no client keys (only behind a firewall or
                       an authenticating proxy; refused otherwise)
  --shutdown-grace S   seconds in-flight requests and streams get to finish on SIGINT/SIGTERM
                       (default ${DEFAULT_SHUTDOWN_GRACE_S}; env AISBF_SHUTDOWN_GRACE); what is still open then
                       is cut, each stream with a final error event, and the exit status is 75
  --pid-file FILE      write this process's PID there once listening, remove it on exit
                       (aisbf daemon passes it; also marks the process as that daemon's server)
  -h, --help           this help
`;

function parseServeArgs(argv: string[]) {
  return parseArgs({
    args: argv,
    options: { ...SERVER_OPTIONS, "pid-file": { type: "string" }, help: { type: "boolean", short: "h" } },
    strict: true,
  }).values;
}
type ServeValues = ReturnType<typeof parseServeArgs>;

/** The log in use: the flags' and environment's settings until the config's own are known. */
interface ActiveLog {
  logger: Logger;
  format: "text" | "json";
}

export async function serveCommand(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  const values = parseServeArgs(argv);
  if (values.help) {
    process.stdout.write(SERVE_HELP);
    return 0;
  }
  rejectEmptyValues(values);
  const early = logSettings(values, env);
  const log: ActiveLog = { logger: createLogger(early), format: early.format };
  try {
    return await serve(values, env, log);
  } catch (error) {
    // In JSON mode a fatal error is one more JSON line, not main.ts's plain "aisbf: ..." text.
    if (log.format !== "json") throw error;
    log.logger.error(error instanceof Error ? error.message : String(error), {
      error: error instanceof Error ? error.name : "Error",
    });
    throw new LoggedError(error);
  }
}

async function serve(
  values: ServeValues,
  env: Record<string, string | undefined>,
  log: ActiveLog,
): Promise<number> {
  // A bad flag is a usage error before anything is written or read.
  listenAddress(values, env, {});
  const graceMs = shutdownGraceMs(values, env);
  const { dir } = resolveConfigDir(values["config-dir"], env);
  const { config, firstRun } = prepareConfig(dir, env, { write: true });
  const { level, format } = logSettings(values, env, config.server.logging);
  // The first config (its Redis URL stays in use), the one in force and the one it replaced (a request still in
  // flight on that one may log its secrets).
  const secrets = { current: config, previous: config };
  const logger = createLogger({
    level,
    format,
    secrets: () => [
      ...configuredSecrets(config),
      ...configuredSecrets(secrets.current),
      ...configuredSecrets(secrets.previous),
    ],
  });
  Object.assign(log, { logger, format });
  routeConsoleTo(logger);
  for (const path of firstRun) logger.info("wrote default config", { path });
  for (const warning of config.warnings) logger.warn(warning);

  const { host, port } = listenAddress(values, env, config.server);
  const insecureNoAuth = values["insecure-no-auth"] ?? false;
  const refusal = bindRefusal(host, config.clientKeys.length, insecureNoAuth);
  // A config error like a bad file: main.ts exits 78 (in JSON mode after serveCommand has logged it).
  if (refusal) throw new ConfigError(refusal);
  const runtime = currentRuntime();
  const stopping = new AbortController();
  const state = await openState(config, { logger, clock: () => Date.now(), instance: crypto.randomUUID() });
  const live = createLiveApp(config, { logger, stopping: stopping.signal, listenHost: host, runtime, state });
  const server = await listen(runtime, live, config, host, port);
  const reloader = watchConfig({
    dir,
    load: () => loadConfig(dir, env),
    apply(next) {
      const refused = bindRefusal(host, next.clientKeys.length, insecureNoAuth);
      if (refused) throw new ConfigError(refused);
      const restartNeeded = settingsNeedingRestart(secrets.current, next);
      live.swap(next);
      secrets.previous = secrets.current;
      secrets.current = next;
      return restartNeeded;
    },
    logger,
    clock: () => Date.now(),
  });
  live.configStatus = reloader.status;
  runtime.onReloadSignal(() => reloader.reload("SIGHUP"));
  // Signal handlers go in before anything says "listening": a SIGTERM sent on that word is a graceful stop.
  const shutdown = waitForShutdown(runtime, server, logger, { graceMs, stopping });
  reportStartup(startupSummary(server, config, runtime.name), format, logger);

  const pidFile = values["pid-file"];
  const daemonFiles = pidFile ? { pidFile, stateFile: stateFileFor(pidFile) } : undefined;
  if (daemonFiles) {
    const holder = claimPidFile(daemonFiles, {
      pid: process.pid,
      url: localUrl(server.hostname, server.port),
      config_dir: dir,
      started_at: new Date().toISOString(),
      shutdown_grace_ms: graceMs,
    });
    if (holder !== undefined) {
      reloader.close();
      await server.stop(false);
      await state.close();
      throw new Error(
        `another aisbf is already running for this config dir (PID ${holder}, PID file ${pidFile})`,
      );
    }
  }

  const outcome = await shutdown;
  reloader.close();
  await state.close();
  if (!outcome.forced) {
    if (daemonFiles) removeDaemonFiles(daemonFiles, process.pid);
    return 0;
  }
  if (daemonFiles) recordForcedStop(daemonFiles, process.pid, outcome.graceMs);
  throw new ForcedStop(
    `stopped by force: requests or streams still open when the ${outcome.graceMs / 1000} s shutdown grace ended were cut (each open stream got a final error event)`,
  );
}

/** Settings the running server took at start: a reload cannot change them. */
function settingsNeedingRestart(before: LoadedConfig, after: LoadedConfig): string[] {
  const keys = ["host", "port", "idle_timeout_seconds", "max_header_bytes", "logging", "state"] as const;
  return keys
    .filter((key) => JSON.stringify(before.server[key]) !== JSON.stringify(after.server[key]))
    .map((key) => `aisbf.json ${key}`);
}

function listen(
  runtime: Runtime,
  live: LiveApp,
  config: LoadedConfig,
  host: string,
  port: number,
): Promise<RunningServer> {
  const maxBodyBytes = config.server.max_body_bytes ?? DEFAULT_MAX_BODY_BYTES;
  return runtime.serve({
    hostname: host,
    port,
    fetch: (request, connections) => live.fetch(request, connections),
    // The app enforces the configured limit with a JSON 413 (chunked bodies too); the runtime's own cap
    // must never answer first, with an empty body.
    maxRequestBodySize: Math.max(maxBodyBytes * 4, 1024 * 1024 * 1024),
    idleTimeoutSeconds: config.server.idle_timeout_seconds ?? DEFAULT_IDLE_TIMEOUT_SECONDS,
  });
}
