// End to end with the real Codex CLI (0.171.0, `codex exec`, wire_api = "responses") on each provider type: the mock
// upstream asks for a shell command (a recorded tool-call stream of that provider, its tool renamed to Codex's
// exec_command and its arguments replaced), Codex runs it, the command's output reaches the mock as that provider's
// own tool result, and the recorded final text the mock then streams is what Codex prints.
import { afterEach, describe, expect, test } from "bun:test";
import type { ProviderConfig } from "../src/config/schema.ts";
import {
  type MockHandler,
  type MockUpstream,
  type RecordedRequest,
  startMock,
} from "../src/providers/testing.ts";
import { codexExecutable, runCodex } from "./helpers/codex.ts";
import {
  anthropicToolCall,
  finalAnswers,
  googleToolCall,
  ollamaToolCall,
  openaiChatToolCall,
  toolResultIn,
} from "./helpers/recorded-turns.ts";
import { startGateway, type TestGateway } from "./helpers/gateway.ts";

type Json = Record<string, unknown>;

const MARKER = "aisbf-codex-ok";
const COMMAND_ARGS = JSON.stringify({ cmd: `echo ${MARKER}` });

const EXEC = { name: "exec_command", args: COMMAND_ARGS };

interface Case {
  type: ProviderConfig["type"];
  provider: (url: string) => ProviderConfig;
  /** How Codex is pointed at the gateway: by the per-provider base URL, or /v1 with "<provider>/<model>". */
  baseUrl: (gateway: string) => string;
  model: string;
  toolCall: () => Response;
  finalAnswer: () => Response;
  finalText: string;
  /** The command's output as the provider's own tool result, or undefined when the request holds none. */
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
    // Codex's own model name on the provider's path: substituted by the provider's first model, with a warning.
    baseUrl: (gateway) => `${gateway}/api/anthropic/v1`,
    model: "gpt-5-codex",
    toolCall: () => anthropicToolCall(EXEC),
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
    baseUrl: (gateway) => `${gateway}/v1`,
    model: "google/gemini-2.5-flash",
    toolCall: () => googleToolCall(EXEC),
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
    baseUrl: (gateway) => `${gateway}/api/ollama/v1`,
    model: "gpt-oss:120b",
    toolCall: () => ollamaToolCall(EXEC),
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
    baseUrl: (gateway) => `${gateway}/v1`,
    model: "compat/gpt-4.1-mini",
    toolCall: () => openaiChatToolCall(EXEC),
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

describe("Codex CLI through the gateway", () => {
  test("the Codex binary is installed (a dev dependency)", () => {
    expect(codexExecutable()).toBeDefined();
  });

  for (const item of CASES) {
    test(`codex exec runs a shell command and prints the final answer: ${item.type} upstream`, async () => {
      upstream = startMock(scripted(item));
      const provider = item.provider(upstream.url);
      gateway = startGateway({ providers: { [provider.id]: provider } });
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
      expect(item.toolResult(bodies[0] as Json)).toBeUndefined();
      expect(item.toolResult(bodies[1] as Json)).toContain(MARKER);
      // Codex prints the last agent message on stdout.
      expect(run.stdout.trim(), context).toEndWith(item.finalText.trim());
      expect(run.stderr).not.toContain("stream disconnected");
      // The client's key is not the provider's: no provider key leaks into Codex's output.
      expect(run.stdout + run.stderr).not.toContain("canary");
    }, 120_000);
  }
});
