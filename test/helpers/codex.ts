// Runs the real Codex CLI (npm @openai/codex, a dev dependency) offline against the gateway (runOffline): a
// temporary CODEX_HOME with a config.toml naming the gateway as a custom Responses provider, plugins, update checks
// and analytics off.
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type ClientRun, runOffline } from "./offline-client.ts";

/** The platform packages @openai/codex installs its native binary from (as its bin/codex.js maps them). */
const TARGETS: Record<string, { pkg: string; triple: string }> = {
  "linux-x64": { pkg: "codex-linux-x64", triple: "x86_64-unknown-linux-musl" },
  "linux-arm64": { pkg: "codex-linux-arm64", triple: "aarch64-unknown-linux-musl" },
  "darwin-x64": { pkg: "codex-darwin-x64", triple: "x86_64-apple-darwin" },
  "darwin-arm64": { pkg: "codex-darwin-arm64", triple: "aarch64-apple-darwin" },
};

/**
 * The native binary itself, not bin/codex.js: on Node before 22 that script runs the binary as a child, and a
 * timed-out run killed by PID would leave the child behind.
 */
export function codexExecutable(): string | undefined {
  const target = TARGETS[`${process.platform}-${process.arch}`];
  if (!target) return undefined;
  const path = new URL(
    `../../node_modules/@openai/${target.pkg}/vendor/${target.triple}/bin/codex`,
    import.meta.url,
  ).pathname;
  return existsSync(path) ? path : undefined;
}

export interface CodexOptions {
  /** The gateway's base URL for Codex: http://127.0.0.1:PORT/v1 or .../api/{id}/v1. */
  baseUrl: string;
  model: string;
  prompt: string;
  apiKey?: string;
  timeoutMs?: number;
}

/** The config.toml the README's "Use with Codex CLI" section shows, with the test's address and model. */
export function codexConfig(baseUrl: string, model: string): string {
  return `model = "${model}"
model_provider = "aisbf"
check_for_update_on_startup = false

[model_providers.aisbf]
name = "AISBF"
base_url = "${baseUrl}"
wire_api = "responses"
env_key = "AISBF_API_KEY"

[features]
plugins = false
remote_plugin = false

[analytics]
enabled = false
`;
}

export async function runCodex(options: CodexOptions): Promise<ClientRun> {
  const executable = codexExecutable();
  if (!executable) throw new Error("the Codex CLI binary is not installed (npm ci installs @openai/codex)");
  // Codex refuses to create its helper links under a temporary CODEX_HOME and only warns, which is harmless.
  return runOffline({
    client: "codex",
    ownDirs: ["codex-home"],
    prepare: (dirs) =>
      writeFileSync(join(dirs["codex-home"], "config.toml"), codexConfig(options.baseUrl, options.model)),
    env: (dirs) => ({
      CODEX_HOME: dirs["codex-home"],
      AISBF_API_KEY: options.apiKey ?? "sk-codex-client-key",
    }),
    command: (dirs) => [
      executable,
      "exec",
      "--skip-git-repo-check",
      "--dangerously-bypass-approvals-and-sandbox",
      "--color",
      "never",
      "-C",
      dirs.work,
      options.prompt,
    ],
    timeoutMs: options.timeoutMs,
  });
}
