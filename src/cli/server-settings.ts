// The server's settings from flags, environment and aisbf.json (in that order), checked; serve and daemon share them.
import type { ServerFile } from "../config/schema.ts";
import type { LogLevel } from "../log/logger.ts";
import { portValue, secondsValue } from "./flag-values.ts";
import { UsageError } from "./usage-error.ts";

export const DEFAULT_HOST = "127.0.0.1";
export const DEFAULT_PORT = 17765;
/** How long in-flight requests and streams get to finish on SIGINT/SIGTERM, by default. */
export const DEFAULT_SHUTDOWN_GRACE_S = 30;

/** The options serve takes; the daemon takes the same and hands them on. */
export const SERVER_OPTIONS = {
  host: { type: "string" },
  port: { type: "string" },
  "config-dir": { type: "string" },
  "log-level": { type: "string" },
  "log-format": { type: "string" },
  "insecure-no-auth": { type: "boolean" },
  "shutdown-grace": { type: "string" },
} as const;

export interface ServerSettings {
  level: LogLevel;
  format: "text" | "json";
}

const LOG_LEVELS: readonly string[] = ["debug", "info", "warn", "error"] satisfies LogLevel[];

function isLogLevel(value: string): value is LogLevel {
  return LOG_LEVELS.includes(value);
}

/** The flag's value, else the environment variable's, with the name a message should blame. */
function given(
  flag: string | undefined,
  flagName: string,
  variable: string | undefined,
  variableName: string,
) {
  if (flag !== undefined) return { value: flag, name: flagName };
  return variable === undefined ? undefined : { value: variable, name: variableName };
}

/** Checks --log-level and --log-format (flag, then environment, then aisbf.json, then the default). */
export function logSettings(
  values: { "log-level"?: string; "log-format"?: string },
  env: Record<string, string | undefined>,
  fromFile: { level?: LogLevel; format?: "text" | "json" } = {},
): ServerSettings {
  const level = given(values["log-level"], "--log-level", env.AISBF_LOG_LEVEL, "AISBF_LOG_LEVEL");
  if (level && !isLogLevel(level.value))
    throw new UsageError(`${level.name}: unknown level '${level.value}' (debug, info, warn or error)`);
  const format = given(values["log-format"], "--log-format", env.AISBF_LOG_FORMAT, "AISBF_LOG_FORMAT");
  if (format && format.value !== "text" && format.value !== "json")
    throw new UsageError(`${format.name}: '${format.value}' is not text or json`);
  return {
    level: level && isLogLevel(level.value) ? level.value : (fromFile.level ?? "info"),
    format: format?.value === "text" || format?.value === "json" ? format.value : (fromFile.format ?? "text"),
  };
}

/** Where to listen: flag, then environment, then aisbf.json, then the default. Empty or malformed is refused. */
export function listenAddress(
  flags: { host?: string; port?: string },
  env: Record<string, string | undefined>,
  server: ServerFile,
): { host: string; port: number } {
  const host = flags.host ?? env.AISBF_HOST ?? server.host ?? DEFAULT_HOST;
  if (host === "") throw new UsageError(`${flags.host === undefined ? "AISBF_HOST" : "--host"}: empty`);
  let port = server.port ?? DEFAULT_PORT;
  if (flags.port !== undefined) port = portValue("--port", flags.port);
  else if (env.AISBF_PORT !== undefined) port = portValue("AISBF_PORT", env.AISBF_PORT);
  return { host, port };
}

/** The shutdown grace in ms: --shutdown-grace, then AISBF_SHUTDOWN_GRACE (seconds), then 30 s. */
export function shutdownGraceMs(
  flags: { "shutdown-grace"?: string },
  env: Record<string, string | undefined>,
): number {
  const flag = flags["shutdown-grace"];
  const fromEnv = env.AISBF_SHUTDOWN_GRACE;
  let seconds = DEFAULT_SHUTDOWN_GRACE_S;
  if (flag !== undefined) seconds = secondsValue("--shutdown-grace", flag, { positive: false });
  else if (fromEnv !== undefined)
    seconds = secondsValue("AISBF_SHUTDOWN_GRACE", fromEnv, { positive: false });
  return Math.round(seconds * 1000);
}
