// `aisbf serve` (the default command): load config, start the server, stop gracefully on SIGINT/SIGTERM.
import { parseArgs } from "node:util";
import { type LoadedConfig, prepareConfig } from "../config/load.ts";
import { resolveConfigDir } from "../config/paths.ts";
import { routeConsoleTo } from "../log/console.ts";
import { createLogger, type Logger } from "../log/logger.ts";
import { createAdapters } from "../providers/registry.ts";
import { createMemoryHealthStore } from "../routing/health.ts";
import { currentRuntime, type RunningServer, type Runtime } from "../runtime/index.ts";
import { createApp } from "../server/app.ts";
import { bindRefusal } from "../server/bind-safety.ts";
import { configuredSecrets, DEFAULT_MAX_BODY_BYTES } from "../server/deps.ts";
import { VERSION } from "../version.ts";
import { claimPidFile, localUrl, removeDaemonFiles, stateFileFor } from "./daemon-files.ts";
import { rejectEmptyValues } from "./flag-values.ts";
import { newId } from "./ids.ts";
import { LoggedError } from "./logged-error.ts";
import { DEFAULT_HOST, DEFAULT_PORT, listenAddress, logSettings, SERVER_OPTIONS } from "./server-settings.ts";
import { reportStartup, startupSummary } from "./startup-summary.ts";

const SHUTDOWN_GRACE_MS = 30_000;

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
  const { dir } = resolveConfigDir(values["config-dir"], env);
  const { config, firstRun } = prepareConfig(dir, env, { write: true });
  const { level, format } = logSettings(values, env, config.server.logging);
  const logger = createLogger({ level, format, secrets: () => configuredSecrets(config) });
  Object.assign(log, { logger, format });
  routeConsoleTo(logger);
  for (const path of firstRun) logger.info("wrote default config", { path });
  for (const warning of config.warnings) logger.warn(warning);

  const { host, port } = listenAddress(values, env, config.server);
  const refusal = bindRefusal(host, config.clientKeys.length, values["insecure-no-auth"] ?? false);
  if (refusal) {
    logger.error(refusal);
    return 78; // EX_CONFIG, as for a bad config file
  }
  const runtime = currentRuntime();
  const server = await listen(runtime, config, logger, host, port);
  reportStartup(startupSummary(server, config, runtime.name), format, logger);

  const pidFile = values["pid-file"];
  const daemonFiles = pidFile ? { pidFile, stateFile: stateFileFor(pidFile) } : undefined;
  if (daemonFiles) {
    const holder = claimPidFile(daemonFiles, {
      pid: process.pid,
      url: localUrl(server.hostname, server.port),
      config_dir: dir,
      started_at: new Date().toISOString(),
    });
    if (holder !== undefined) {
      logger.error("another aisbf is already running for this config dir", {
        pid: holder,
        pid_file: pidFile,
      });
      await server.stop(false);
      return 1;
    }
  }

  const stopped = await waitForShutdown(runtime, server, logger);
  if (daemonFiles) removeDaemonFiles(daemonFiles, process.pid);
  return stopped;
}

function listen(
  runtime: Runtime,
  config: LoadedConfig,
  logger: Logger,
  host: string,
  port: number,
): Promise<RunningServer> {
  const maxBodyBytes = config.server.max_body_bytes ?? DEFAULT_MAX_BODY_BYTES;
  const clock = () => Date.now();
  const app = createApp({
    config,
    adapters: createAdapters({ clock, newId, logger }),
    health: createMemoryHealthStore(clock),
    logger,
    clock,
    random: Math.random,
    version: VERSION,
    startedAt: clock(),
    maxBodyBytes,
  });
  return runtime.serve({
    hostname: host,
    port,
    fetch: app.fetch,
    // The app enforces the configured limit with a JSON 413 (chunked bodies too); the runtime's own cap
    // must never answer first, with an empty body.
    maxRequestBodySize: Math.max(maxBodyBytes * 4, 1024 * 1024 * 1024),
  });
}

/** Resolves 0 once a signal has stopped the server and in-flight requests and streams have finished. */
function waitForShutdown(runtime: Runtime, server: RunningServer, logger: Logger): Promise<number> {
  return new Promise<number>((resolve) => {
    let stopping = false;
    runtime.onShutdownSignal((signal) => {
      if (stopping) return;
      stopping = true;
      logger.info("shutting down: finishing in-flight requests", { signal });
      const forced = setTimeout(() => {
        logger.warn("in-flight requests did not finish in time; exiting");
        resolve(0);
      }, SHUTDOWN_GRACE_MS);
      server.stop(true).then(() => {
        clearTimeout(forced);
        resolve(0);
      });
    });
  });
}
