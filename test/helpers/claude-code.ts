// Runs the real Claude Code CLI (npm @anthropic-ai/claude-code, a dev dependency) offline against the gateway:
// `claude -p` with a temporary HOME, ANTHROPIC_BASE_URL at the gateway, non-essential traffic off, and everything
// that could leave the machine (proxies, package registries) pointed at a closed port; stopped by PID when it
// overruns, every temporary directory removed.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { closedPort } from "../../src/providers/testing.ts";

/** The platform packages @anthropic-ai/claude-code installs its native binary from (its optional dependencies). */
const PACKAGES: Record<string, string> = {
  "linux-x64": "claude-code-linux-x64",
  "linux-arm64": "claude-code-linux-arm64",
  "darwin-x64": "claude-code-darwin-x64",
  "darwin-arm64": "claude-code-darwin-arm64",
};

/** The native binary itself, so that a run stopped by PID leaves no child behind. */
export function claudeExecutable(): string | undefined {
  const pkg = PACKAGES[`${process.platform}-${process.arch}`];
  if (!pkg) return undefined;
  for (const name of ["claude", "bin/claude", "claude.exe"]) {
    const path = new URL(`../../node_modules/@anthropic-ai/${pkg}/${name}`, import.meta.url).pathname;
    if (existsSync(path)) return path;
  }
  return undefined;
}

export interface ClaudeRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface ClaudeOptions {
  /** ANTHROPIC_BASE_URL: http://127.0.0.1:PORT or .../api/{id}. */
  baseUrl: string;
  prompt: string;
  /** --model; Claude Code's own default when unset. */
  model?: string;
  /** --allowedTools: what may run without a prompt. */
  allowedTools: string;
  apiKey?: string;
  timeoutMs?: number;
}

export async function runClaude(options: ClaudeOptions): Promise<ClaudeRun> {
  const root = mkdtempSync(join(tmpdir(), "aisbf-claude-"));
  const home = join(root, "home");
  const work = join(root, "work");
  for (const dir of [home, work]) mkdirSync(dir, { recursive: true });
  const closed = `http://127.0.0.1:${closedPort()}`;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    // The settings the README's "Use with Claude Code" section gives.
    ANTHROPIC_BASE_URL: options.baseUrl,
    ANTHROPIC_API_KEY: options.apiKey ?? "sk-ant-claude-client-key",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    DISABLE_AUTOUPDATER: "1",
    // Anything that would leave the machine goes to a closed port instead; the gateway on 127.0.0.1 is exempt.
    HTTP_PROXY: closed,
    HTTPS_PROXY: closed,
    ALL_PROXY: closed,
    NO_PROXY: "127.0.0.1,localhost",
    npm_config_registry: closed,
    NPM_CONFIG_REGISTRY: closed,
    TERM: "dumb",
  };
  const executable = claudeExecutable();
  if (!executable)
    throw new Error("the Claude Code binary is not installed (npm ci installs @anthropic-ai/claude-code)");
  const args = [
    executable,
    "-p",
    options.prompt,
    "--output-format",
    "json",
    "--allowedTools",
    options.allowedTools,
  ];
  if (options.model) args.push("--model", options.model);
  const proc = Bun.spawn(args, { cwd: work, env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
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
