// End to end with the real Codex CLI (0.171.0, `codex exec`, wire_api = "responses") on each provider type: the mock
// upstream asks for a shell command (a recorded tool-call stream of that provider, its tool renamed to Codex's
// exec_command and its arguments replaced), Codex runs it, the command's output reaches the mock as that provider's
// own tool result, and the recorded final text the mock then streams is what Codex prints.
import { describe, expect, test } from "bun:test";
import type { ProviderType } from "../src/config/schema.ts";
import { codexExecutable, runCodex } from "./helpers/codex.ts";
import { useUpstreamPerTest } from "./helpers/provider-suite.ts";
import { agentTurns, scriptedTurns } from "./helpers/recorded-turns.ts";

type Json = Record<string, unknown>;

const MARKER = "aisbf-codex-ok";
const COMMAND_ARGS = JSON.stringify({ cmd: `echo ${MARKER}` });

const EXEC = { name: "exec_command", args: COMMAND_ARGS };

interface Case {
  type: ProviderType;
  /** How Codex is pointed at the gateway: by the per-provider base URL, or /v1 with "<provider>/<model>". */
  baseUrl: (gateway: string) => string;
  model: string;
}

const CASES: Case[] = [
  // Codex's own model name on the provider's path: substituted by the provider's first model, with a warning.
  { type: "anthropic", baseUrl: (gateway) => `${gateway}/api/anthropic/v1`, model: "gpt-5-codex" },
  { type: "google", baseUrl: (gateway) => `${gateway}/v1`, model: "google/gemini-2.5-flash" },
  { type: "ollama", baseUrl: (gateway) => `${gateway}/api/ollama/v1`, model: "gpt-oss:120b" },
  // An OpenAI-compatible server (Chat Completions only): Codex's Responses requests are translated to Chat.
  { type: "openai", baseUrl: (gateway) => `${gateway}/v1`, model: "openai/gpt-4.1-mini" },
];

const startUpstream = useUpstreamPerTest();

describe("Codex CLI through the gateway", () => {
  test("the Codex binary is installed (a dev dependency)", () => {
    expect(codexExecutable()).toBeDefined();
  });

  for (const item of CASES) {
    const turns = agentTurns[item.type];
    test(`codex exec runs a shell command and prints the final answer: ${item.type} upstream`, async () => {
      const { upstream, gateway } = startUpstream(item.type, scriptedTurns(turns, EXEC));
      const run = await runCodex({
        baseUrl: item.baseUrl(gateway.url),
        model: item.model,
        prompt: `Run: echo ${MARKER}`,
        timeoutMs: 90_000,
      });
      const context = `exit ${run.exitCode}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr.slice(-3000)}`;
      expect(run.timedOut, context).toBe(false);
      expect(run.exitCode, context).toBe(0);
      // Exactly two model turns: the tool call, then the answer after the command ran.
      const bodies = upstream.requests.map((request) => request.body as Json);
      expect(bodies.length, context).toBe(2);
      expect(turns.toolResult(bodies[0] as Json)).toBeUndefined();
      expect(turns.toolResult(bodies[1] as Json)).toContain(MARKER);
      // Codex prints the last agent message on stdout.
      expect(run.stdout.trim(), context).toEndWith(turns.finalText.trim());
      expect(run.stderr).not.toContain("stream disconnected");
      // The client's key is not the provider's: no provider key leaks into Codex's output.
      expect(run.stdout + run.stderr).not.toContain("canary");
    }, 120_000);
  }
});
