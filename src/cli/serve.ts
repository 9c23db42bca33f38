// `aisbf serve` (the default command): load config, start the server, stop gracefully on SIGINT/SIGTERM.
import { inspect, parseArgs } from "node:util";
import { ensureConfigDir, loadConfig } from "../config/load.ts";
import { resolveConfigDir } from "../config/paths.ts";
import { createLogger, type Logger, type LogLevel } from "../log/logger.ts";
import { createAdapters } from "../providers/registry.ts";
import { createMemoryHealthStore } from "../routing/health.ts";
import { currentRuntime, type RunningServer, type Runtime } from "../runtime/index.ts";
import { createApp } from "../server/app.ts";
import { bindRefusal } from "../server/bind-safety.ts";
import { configuredSecrets, DEFAULT_IDLE_TIMEOUT_SECONDS, DEFAULT_MAX_BODY_BYTES } from "../server/deps.ts";
import { VERSION } from "../version.ts";
import { claimPidFile, localUrl, removeDaemonFiles, stateFileFor } from "./daemon-files.ts";
import { newId } from "./ids.ts";
import { UsageError } from "./usage-error.ts";

export const DEFAULT_HOST = "127.0.0.1";
export const DEFAULT_PORT = 17765;
const SHUTDOWN_GRACE_MS = 30_000;

export const SERVE_HELP = `Usage: aisbf [serve] [options]

Runs the gateway in the foreground.

Options:
  --host HOST          address to listen on (default ${DEFAULT_HOST}; env AISBF_HOST)
  --port PORT          port to listen on (default ${DEFAULT_PORT}; env AISBF_PORT)
  --config-dir DIR     config directory (default: env AISBF_CONFIG_DIR, else ~/.aisbf)
  --log-level LEVEL    debug | info | warn | error (default info)
  --log-format FORMAT  text | json (default text)
  --insecure-no-auth   listen beyond loopback with no client keys (only behind a firewall or
                       an authenticating proxy; refused otherwise)
  --pid-file FILE      write this process's PID there once listening, remove it on exit
                       (aisbf daemon passes it; also marks the process as that daemon's server)
  -h, --help           this help
`;

/** The options serve takes; the daemon takes the same and hands them on. */
export const SERVER_OPTIONS = {
  host: { type: "string" },
  port: { type: "string" },
  "config-dir": { type: "string" },
  "log-level": { type: "string" },
  "log-format": { type: "string" },
  "insecure-no-auth": { type: "boolean" },
} as const;

export interface ServerSettings {
  level: LogLevel;
  format: "text" | "json";
}

/** Checks --log-level and --log-format (flag, then environment, then default). */
export function logSettings(
  values: { "log-level"?: string; "log-format"?: string },
  env: Record<string, string | undefined>,
  fromFile: { level?: LogLevel; format?: "text" | "json" } = {},
): ServerSettings {
  const level = (values["log-level"] ?? env.AISBF_LOG_LEVEL ?? fromFile.level ?? "info") as LogLevel;
  if (!["debug", "info", "warn", "error"].includes(level))
    throw new UsageError(`--log-level: unknown level ${level}`);
  const format = values["log-format"] ?? env.AISBF_LOG_FORMAT ?? fromFile.format ?? "text";
  if (format !== "text" && format !== "json") throw new UsageError(`--log-format: must be text or json`);
  return { level, format };
}

export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port: not a port number: ${value}`);
  return port;
}

export async function serveCommand(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { ...SERVER_OPTIONS, "pid-file": { type: "string" }, help: { type: "boolean", short: "h" } },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(SERVE_HELP);
    return 0;
  }
  logSettings(values, env);

  const { dir } = resolveConfigDir(values["config-dir"], env);
  const created = ensureConfigDir(dir);
  const config = loadConfig(dir, env);
  const { level, format } = logSettings(values, env, config.server.logging);
  const logger = createLogger({ level, format, secrets: () => configuredSecrets(config) });
  routeConsoleTo(logger);
  for (const path of created) logger.info("wrote default config", { path });
  for (const warning of config.warnings) logger.warn(warning);

  const host = values.host ?? env.AISBF_HOST ?? config.server.host ?? DEFAULT_HOST;
  const refusal = bindRefusal(host, config.clientKeys.length, values["insecure-no-auth"] ?? false);
  if (refusal) {
    logger.error(refusal);
    return 78; // EX_CONFIG, as for a bad config file
  }
  const port = parsePort(values.port ?? env.AISBF_PORT ?? String(config.server.port ?? DEFAULT_PORT));
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
    listenHost: host,
  });

  const runtime = currentRuntime();
  const server = await runtime.serve({
    hostname: host,
    port,
    fetch: app.fetch,
    // The app enforces the configured limit with a JSON 413 (chunked bodies too); the runtime's own cap
    // must never answer first, with an empty body.
    maxRequestBodySize: Math.max(maxBodyBytes * 4, 1024 * 1024 * 1024),
    idleTimeoutSeconds: config.server.idle_timeout_seconds ?? DEFAULT_IDLE_TIMEOUT_SECONDS,
  });
  printSummary(server.hostname, server.port, dir, config, runtime.name);

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

function printSummary(
  host: string,
  port: number,
  dir: string,
  config: ReturnType<typeof loadConfig>,
  runtime: string,
): void {
  const shownHost = host.includes(":") ? `[${host}]` : host;
  const lines = [
    `aisbf ${VERSION} (${runtime}) listening on http://${shownHost}:${port}`,
    `config: ${dir}`,
    "providers:",
    ...Object.values(config.providers).map((provider) => {
      const key = provider.api_key
        ? "key configured"
        : provider.api_key_required
          ? `key missing (set ${provider.api_key_env ?? "api_key"})`
          : "no key needed";
      return `  ${provider.id} (${provider.type}) ${provider.endpoint}: ${key}`;
    }),
    `rotations: ${Object.keys(config.rotations).join(", ") || "none"}`,
  ];
  process.stderr.write(`${lines.join("\n")}\n`);
}

/** SDKs write warnings straight to the console (deprecated models...); they go through our logger instead, so
 * they are redacted and keep the chosen format. */
function routeConsoleTo(logger: Logger): void {
  const text = (args: unknown[]) =>
    args.map((arg) => (typeof arg === "string" ? arg : inspect(arg))).join(" ");
  console.warn = (...args: unknown[]) => logger.warn(text(args));
  console.error = (...args: unknown[]) => logger.error(text(args));
}
