// `aisbf serve` (the default command): load config, start the server, stop gracefully on SIGINT/SIGTERM.
import { parseArgs } from "node:util";
import { ensureConfigDir, loadConfig } from "../config/load.ts";
import { resolveConfigDir } from "../config/paths.ts";
import { createLogger, type LogLevel } from "../log/logger.ts";
import { createAdapters } from "../providers/registry.ts";
import { createMemoryHealthStore } from "../routing/health.ts";
import { currentRuntime } from "../runtime/index.ts";
import { createApp } from "../server/app.ts";
import { configuredSecrets, DEFAULT_MAX_BODY_BYTES } from "../server/deps.ts";
import { VERSION } from "../version.ts";
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
  -h, --help           this help
`;

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port: not a port number: ${value}`);
  return port;
}

export async function serveCommand(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: "string" },
      port: { type: "string" },
      "config-dir": { type: "string" },
      "log-level": { type: "string" },
      "log-format": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(SERVE_HELP);
    return 0;
  }
  const level = (values["log-level"] ?? env.AISBF_LOG_LEVEL ?? "info") as LogLevel;
  if (!["debug", "info", "warn", "error"].includes(level))
    throw new UsageError(`--log-level: unknown level ${level}`);
  const format = values["log-format"] ?? env.AISBF_LOG_FORMAT ?? "text";
  if (format !== "text" && format !== "json") throw new UsageError(`--log-format: must be text or json`);

  const { dir } = resolveConfigDir(values["config-dir"], env);
  const created = ensureConfigDir(dir);
  const config = loadConfig(dir, env);
  const logger = createLogger({ level, format, secrets: () => configuredSecrets(config) });
  for (const path of created) logger.info("wrote default config", { path });
  for (const warning of config.warnings) logger.warn(warning);

  const host = values.host ?? env.AISBF_HOST ?? config.server.host ?? DEFAULT_HOST;
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
  });

  const runtime = currentRuntime();
  const server = await runtime.serve({
    hostname: host,
    port,
    fetch: app.fetch,
    maxRequestBodySize: maxBodyBytes + 1024 * 1024,
  });
  printSummary(server.hostname, server.port, dir, config, runtime.name);

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
