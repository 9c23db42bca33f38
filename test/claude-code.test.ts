// End to end with the real Claude Code CLI (2.1.332, `claude -p --output-format json`) on each provider type: the
// mock upstream asks for a Bash command (a recorded tool-call stream of that provider, its tool renamed to Claude
// Code's Bash and its arguments replaced), Claude Code runs it, the command's output reaches the mock as that
// provider's own tool result, and the recorded final text the mock then streams is the result Claude Code prints.
import { afterEach, describe, expect, test } from "bun:test";
import type { ProviderConfig } from "../src/config/schema.ts";
import {
  type MockHandler,
  type MockUpstream,
  type RecordedRequest,
  startMock,
} from "../src/providers/testing.ts";
import { claudeExecutable, runClaude } from "./helpers/claude-code.ts";
import { startGateway, type TestGateway } from "./helpers/gateway.ts";
import {
  anthropicToolCall,
  finalAnswers,
  googleToolCall,
  ollamaToolCall,
  openaiChatToolCall,
  toolResultIn,
} from "./helpers/recorded-turns.ts";

type Json = Record<string, unknown>;

const MARKER = "aisbf-claude-ok";
const BASH = {
  name: "Bash",
  args: JSON.stringify({ command: `echo ${MARKER}`, description: "Print a marker" }),
};

interface Case {
  type: ProviderConfig["type"];
  provider: (url: string) => ProviderConfig;
  /** ANTHROPIC_BASE_URL: the provider's path (any model name goes), or the gateway with a --model it routes. */
  baseUrl: (gateway: string) => string;
  model?: string;
  toolCall: () => Response;
  finalAnswer: () => Response;
  finalText: string;
  toolResult(body: Json): string | undefined;
}

const CASES: Case[] = [
  {
    type: "anthropic",
    provider: (url) => ({
      id: "anthropic",
      name: "Anthropic",
      type: "anthropic",
      endpoint: url,
      api_key_required: true,
      api_key: "sk-ant-test-canary-0001",
      models: [{ name: "claude-haiku-4-5", max_tokens: 1500 }],
    }),
    // Claude Code's own model names on the provider's path: substituted by the provider's first model.
    baseUrl: (gateway) => `${gateway}/api/anthropic`,
    toolCall: () => anthropicToolCall(BASH),
    finalAnswer: finalAnswers.anthropic.respond,
    finalText: finalAnswers.anthropic.text,
    toolResult: toolResultIn.anthropic,
  },
  {
    type: "google",
    provider: (url) => ({
      id: "google",
      name: "Gemini",
      type: "google",
      endpoint: url,
      api_key_required: true,
      api_key: "AIzaSy-test-canary-0001",
      models: [{ name: "gemini-2.5-flash" }],
    }),
    baseUrl: (gateway) => gateway,
    model: "google/gemini-2.5-flash",
    toolCall: () => googleToolCall(BASH),
    finalAnswer: finalAnswers.google.respond,
    finalText: finalAnswers.google.text,
    toolResult: toolResultIn.google,
  },
  {
    type: "ollama",
    provider: (url) => ({
      id: "ollama",
      name: "Ollama",
      type: "ollama",
      endpoint: url,
      api_key_required: false,
      models: [{ name: "gpt-oss:120b" }],
    }),
    baseUrl: (gateway) => `${gateway}/api/ollama`,
    toolCall: () => ollamaToolCall(BASH),
    finalAnswer: finalAnswers.ollama.respond,
    finalText: finalAnswers.ollama.text,
    toolResult: toolResultIn.chat,
  },
  {
    type: "openai",
    provider: (url) => ({
      id: "compat",
      name: "OpenAI-compatible (Chat Completions only)",
      type: "openai",
      endpoint: url,
      api_key_required: true,
      api_key: "sk-test-canary-key-0001",
      models: [{ name: "gpt-4.1-mini" }],
    }),
    baseUrl: (gateway) => gateway,
    model: "compat/gpt-4.1-mini",
    toolCall: () => openaiChatToolCall(BASH),
    finalAnswer: finalAnswers.openai.respond,
    finalText: finalAnswers.openai.text,
    toolResult: toolResultIn.chat,
  },
];

let upstream: MockUpstream | undefined;
let gateway: TestGateway | undefined;

afterEach(async () => {
  await gateway?.stop();
  await upstream?.stop();
  gateway = undefined;
  upstream = undefined;
});

/** The tool call until the request carries a tool result, then the final answer. */
function scripted(item: Case): MockHandler {
  return (request: RecordedRequest) =>
    item.toolResult(request.body as Json) === undefined ? item.toolCall() : item.finalAnswer();
}

describe("Claude Code through the gateway", () => {
  test("the Claude Code binary is installed (a dev dependency)", () => {
    expect(claudeExecutable()).toBeDefined();
  });

  for (const item of CASES) {
    test(`claude -p runs a Bash command and prints the final answer: ${item.type} upstream`, async () => {
      upstream = startMock(scripted(item));
      const provider = item.provider(upstream.url);
      gateway = startGateway({ providers: { [provider.id]: provider } });
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
      const withResult = bodies.filter((body) => item.toolResult(body) !== undefined);
      expect(withResult.length, context).toBeGreaterThan(0);
      expect(item.toolResult(withResult[0] as Json), context).toContain(MARKER);
      const result = JSON.parse(run.stdout.trim().split("\n").at(-1) as string) as Json;
      expect(result.is_error, context).toBe(false);
      expect(String(result.result).trim(), context).toBe(item.finalText.trim());
      // The client's key is not the provider's: no provider key leaks into Claude Code's output.
      expect(run.stdout + run.stderr).not.toContain("canary");
    }, 120_000);
  }
});
