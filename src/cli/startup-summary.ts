// What `serve` says once it listens: a few text lines for a terminal, or one log record with the same facts as fields.
import type { LoadedConfig } from "../config/load.ts";
import type { Logger } from "../log/logger.ts";
import { VERSION } from "../version.ts";

export interface StartupSummary {
  version: string;
  runtime: string;
  url: string;
  config_dir: string;
  /** Whether each provider has its key; never the key itself. */
  providers: {
    id: string;
    type: string;
    endpoint: string;
    key: "configured" | "missing" | "not needed";
    key_env?: string;
  }[];
  rotations: string[];
}

export function startupSummary(
  listening: { hostname: string; port: number },
  config: LoadedConfig,
  runtime: string,
): StartupSummary {
  const host = listening.hostname.includes(":") ? `[${listening.hostname}]` : listening.hostname;
  return {
    version: VERSION,
    runtime,
    url: `http://${host}:${listening.port}`,
    config_dir: config.dir,
    providers: Object.values(config.providers).map((provider) => ({
      id: provider.id,
      type: provider.type,
      endpoint: provider.endpoint,
      key: provider.api_key ? "configured" : provider.api_key_required ? "missing" : "not needed",
      ...(provider.api_key_env ? { key_env: provider.api_key_env } : {}),
    })),
    rotations: Object.keys(config.rotations),
  };
}

/** Text mode: lines for a person at a terminal. JSON mode: one record, so every line of output parses. */
export function reportStartup(summary: StartupSummary, format: "text" | "json", logger: Logger): void {
  if (format === "json") {
    logger.info("listening", { ...summary });
    return;
  }
  const lines = [
    `aisbf ${summary.version} (${summary.runtime}) listening on ${summary.url}`,
    `config: ${summary.config_dir}`,
    "providers:",
    ...summary.providers.map((provider) => {
      const key =
        provider.key === "missing"
          ? `key missing (set ${provider.key_env ?? "api_key"})`
          : provider.key === "configured"
            ? "key configured"
            : "no key needed";
      return `  ${provider.id} (${provider.type}) ${provider.endpoint}: ${key}`;
    }),
    `rotations: ${summary.rotations.join(", ") || "none"}`,
  ];
  process.stderr.write(`${lines.join("\n")}\n`);
}
