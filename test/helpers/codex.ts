// Runs the real Codex CLI (npm @openai/codex, a dev dependency) offline against the gateway: a temporary HOME and
// CODEX_HOME with a config.toml naming the gateway as a custom Responses provider, nothing that could reach the
// internet (plugins, update checks and analytics off, proxies and package registries pointed at a closed port),
// stopped by PID when it overruns, every temporary directory removed.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { closedPort } from "../../src/providers/testing.ts";

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

export interface CodexRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
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

export async function runCodex(options: CodexOptions): Promise<CodexRun> {
  // Not under /tmp's top level alone: Codex refuses to create its helper links under a temporary CODEX_HOME and only
  // warns, which is harmless; the directories are ours and removed after the run.
  const root = mkdtempSync(join(tmpdir(), "aisbf-codex-"));
  const home = join(root, "home");
  const codexHome = join(root, "codex-home");
  const work = join(root, "work");
  for (const dir of [home, codexHome, work]) Bun.spawnSync(["mkdir", "-p", dir]);
  writeFileSync(join(codexHome, "config.toml"), codexConfig(options.baseUrl, options.model));
  const closed = `http://127.0.0.1:${closedPort()}`;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    CODEX_HOME: codexHome,
    AISBF_API_KEY: options.apiKey ?? "sk-codex-client-key",
    // Anything that would leave the machine goes to a closed port instead; the gateway on 127.0.0.1 is exempt.
    HTTP_PROXY: closed,
    HTTPS_PROXY: closed,
    ALL_PROXY: closed,
    NO_PROXY: "127.0.0.1,localhost",
    npm_config_registry: closed,
    NPM_CONFIG_REGISTRY: closed,
    TERM: "dumb",
  };
  const executable = codexExecutable();
  if (!executable) throw new Error("the Codex CLI binary is not installed (npm ci installs @openai/codex)");
  const proc = Bun.spawn(
    [
      executable,
      "exec",
      "--skip-git-repo-check",
      "--dangerously-bypass-approvals-and-sandbox",
      "--color",
      "never",
      "-C",
      work,
      options.prompt,
    ],
    { cwd: work, env, stdin: "ignore", stdout: "pipe", stderr: "pipe" },
  );
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    // Only the process this run started, by its PID.
    process.kill(proc.pid, "SIGKILL");
  }, options.timeoutMs ?? 60_000);
  try {
    const [stdout, stderr, exitCode] = await Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
      proc.exited,
    ]);
    return { exitCode, stdout, stderr, timedOut };
  } finally {
    clearTimeout(timer);
    rmSync(root, { recursive: true, force: true });
  }
}
