// End to end with the real Claude Code CLI (2.1.332, `claude -p --output-format json`) on each provider type: the
// mock upstream asks for a Bash command (a recorded tool-call stream of that provider, its tool renamed to Claude
// Code's Bash and its arguments replaced), Claude Code runs it, the command's output reaches the mock as that
// provider's own tool result, and the recorded final text the mock then streams is the result Claude Code prints.
import { describe, expect, test } from "bun:test";
import type { ProviderType } from "../src/config/schema.ts";
import { claudeExecutable, runClaude } from "./helpers/claude-code.ts";
import { useUpstreamPerTest } from "./helpers/provider-suite.ts";
import { agentTurns, scriptedTurns } from "./helpers/recorded-turns.ts";

type Json = Record<string, unknown>;

const MARKER = "aisbf-claude-ok";
const BASH = {
  name: "Bash",
  args: JSON.stringify({ command: `echo ${MARKER}`, description: "Print a marker" }),
};

interface Case {
  type: ProviderType;
  /** ANTHROPIC_BASE_URL: the provider's path (any model name goes), or the gateway with a --model it routes. */
  baseUrl: (gateway: string) => string;
  model?: string;
}

const CASES: Case[] = [
  // Claude Code's own model names on the provider's path: substituted by the provider's first model.
  { type: "anthropic", baseUrl: (gateway) => `${gateway}/api/anthropic` },
  { type: "google", baseUrl: (gateway) => gateway, model: "google/gemini-2.5-flash" },
  { type: "ollama", baseUrl: (gateway) => `${gateway}/api/ollama` },
  // An OpenAI-compatible server (Chat Completions only).
  { type: "openai", baseUrl: (gateway) => gateway, model: "openai/gpt-4.1-mini" },
];

const startUpstream = useUpstreamPerTest();

describe("Claude Code through the gateway", () => {
  test("the Claude Code binary is installed (a dev dependency)", () => {
    expect(claudeExecutable()).toBeDefined();
  });

  for (const item of CASES) {
    const turns = agentTurns[item.type];
    test(`claude -p runs a Bash command and prints the final answer: ${item.type} upstream`, async () => {
      const { upstream, gateway } = startUpstream(item.type, scriptedTurns(turns, BASH));
      const run = await runClaude({
        baseUrl: item.baseUrl(gateway.url),
        ...(item.model ? { model: item.model } : {}),
        prompt: `Run: echo ${MARKER}`,
        allowedTools: "Bash(echo:*)",
        timeoutMs: 90_000,
      });
      const requests = upstream.requests.map((request) => `${request.method} ${request.path}`);
      const context = `exit ${run.exitCode}\nupstream: ${requests.join(", ")}\nstdout:\n${run.stdout.slice(-3000)}\nstderr:\n${run.stderr.slice(-3000)}\ngateway log:\n${gateway.logs.slice(-20).join("\n")}`;
      expect(run.timedOut, context).toBe(false);
      expect(run.exitCode, context).toBe(0);
      const bodies = upstream.requests.map((request) => request.body as Json);
      // The tool call was asked for, and the command's output came back in the provider's own tool-result form.
      const withResult = bodies.filter((body) => turns.toolResult(body) !== undefined);
      expect(withResult.length, context).toBeGreaterThan(0);
      expect(turns.toolResult(withResult[0] as Json), context).toContain(MARKER);
      const result = JSON.parse(run.stdout.trim().split("\n").at(-1) as string) as Json;
      expect(result.is_error, context).toBe(false);
      expect(String(result.result).trim(), context).toBe(turns.finalText.trim());
      // The client's key is not the provider's: no provider key leaks into Claude Code's output.
      expect(run.stdout + run.stderr).not.toContain("canary");
    }, 120_000);
  }
});
