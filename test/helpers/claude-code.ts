// Runs the real Claude Code CLI (npm @anthropic-ai/claude-code, a dev dependency) offline against the gateway
// (runOffline): `claude -p` with ANTHROPIC_BASE_URL at the gateway and non-essential traffic off.
import { existsSync } from "node:fs";
import { type ClientRun, runOffline } from "./offline-client.ts";

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

export async function runClaude(options: ClaudeOptions): Promise<ClientRun> {
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
  return runOffline({
    client: "claude",
    // The settings the README's "Use with Claude Code" section gives.
    env: () => ({
      ANTHROPIC_BASE_URL: options.baseUrl,
      ANTHROPIC_API_KEY: options.apiKey ?? "sk-ant-claude-client-key",
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      DISABLE_AUTOUPDATER: "1",
    }),
    command: () => args,
    timeoutMs: options.timeoutMs,
  });
}
