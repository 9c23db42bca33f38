// End to end with the real Codex CLI (0.171.0, `codex exec`, wire_api = "responses") on each provider type: the mock
// upstream asks for a shell command (a recorded tool-call stream of that provider, its tool renamed to Codex's
// exec_command and its arguments replaced), Codex runs it, the command's output reaches the mock as that provider's
// own tool result, and the recorded final text the mock then streams is what Codex prints.
import { afterEach, describe, expect, test } from "bun:test";
import type { ProviderConfig } from "../src/config/schema.ts";
import {
  fixtureText,
  type MockHandler,
  type MockUpstream,
  ndjsonResponse,
  type RecordedRequest,
  sseEventsOf,
  sseResponse,
  ssePayloads,
  startMock,
} from "../src/providers/testing.ts";
import { codexExecutable, runCodex } from "./helpers/codex.ts";
import { startGateway, type TestGateway } from "./helpers/gateway.ts";

type Json = Record<string, unknown>;

const MARKER = "aisbf-codex-ok";
const COMMAND_ARGS = JSON.stringify({ cmd: `echo ${MARKER}` });

const named = (event: Json) => `event: ${event.type as string}\ndata: ${JSON.stringify(event)}\n\n`;

/** Anthropic's recorded parallel tool-use stream, first call only, as exec_command with the command's arguments. */
function anthropicToolCall(): Response {
  const events = ssePayloads(fixtureText("anthropic", "messages-stream-parallel-tool-use.sse"));
  const kept = events
    .filter((event) => event.index === undefined || event.index === 0)
    .map((event) => {
      const block = event.content_block as Json | undefined;
      if (event.type === "content_block_start" && block?.type === "tool_use") {
        return { ...event, content_block: { ...block, name: "exec_command" } };
      }
      const delta = event.delta as Json | undefined;
      if (delta?.type === "input_json_delta")
        return { ...event, delta: { ...delta, partial_json: COMMAND_ARGS } };
      return event;
    });
  return sseResponse(kept.map(named));
}

/** Gemini's recorded thought-then-call stream, the call renamed to exec_command with the command as its args. */
function googleToolCall(): Response {
  const chunks = JSON.parse(
    fixtureText("google", "stream-jsonarray-thought-and-function-call.json"),
  ) as Array<{
    candidates: Array<{ content: { parts: Json[] } }>;
  }>;
  for (const chunk of chunks) {
    for (const part of chunk.candidates[0]?.content.parts ?? []) {
      if (part.functionCall) part.functionCall = { name: "exec_command", args: JSON.parse(COMMAND_ARGS) };
    }
  }
  return sseResponse(chunks.map((chunk) => `data: ${JSON.stringify(chunk)}\r\n\r\n`));
}

/** Ollama's recorded cloud tool call (one NDJSON line, as Ollama streams a call), renamed and with new arguments. */
function ollamaToolCall(): Response {
  const answer = JSON.parse(fixtureText("ollama", "chat-tool-call-cloud-httprr.json"));
  answer.message.tool_calls = [
    {
      ...answer.message.tool_calls[0],
      function: { index: 0, name: "exec_command", arguments: JSON.parse(COMMAND_ARGS) },
    },
  ];
  return ndjsonResponse(`${JSON.stringify(answer)}\n`);
}

/** OpenAI Chat's recorded tool-call stream: the call renamed, its arguments sent in the first argument chunk. */
function openaiChatToolCall(): Response {
  const text = fixtureText("openai", "chat-completions-stream-tool-call.sse");
  let first = true;
  const events = sseEventsOf(text).map((event) => {
    const data = event.trim().slice("data: ".length);
    if (data === "[DONE]") return event;
    const chunk = JSON.parse(data) as { choices: Array<{ delta?: { tool_calls?: Json[] } }> };
    for (const piece of chunk.choices[0]?.delta?.tool_calls ?? []) {
      const fn = piece.function as Json;
      if (fn.name) fn.name = "exec_command";
      fn.arguments = first ? COMMAND_ARGS : "";
      first = false;
    }
    return `data: ${JSON.stringify(chunk)}\n\n`;
  });
  return sseResponse(events);
}

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

const anthropicText = ssePayloads(fixtureText("anthropic", "messages-stream-text-httprr.sse"))
  .map((event) => (event.delta as { text?: string } | undefined)?.text ?? "")
  .join("");
const googleText = ssePayloads(fixtureText("google", "stream-text-sse.sse"))
  .flatMap(
    (chunk) => (chunk as { candidates: Array<{ content: { parts: Array<{ text?: string }> } }> }).candidates,
  )
  .flatMap((candidate) => candidate.content.parts.map((part) => part.text ?? ""))
  .join("");
const ollamaText = fixtureText("ollama", "chat-stream-httprr.ndjson")
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => (JSON.parse(line) as { message?: { content?: string } }).message?.content ?? "")
  .join("");
const openaiText = ssePayloads(fixtureText("openai", "chat-completions-stream-after-tool-result.sse"))
  .flatMap((chunk) => (chunk as { choices: Array<{ delta?: { content?: string } }> }).choices ?? [])
  .map((choice) => choice.delta?.content ?? "")
  .join("");

function textOf(content: unknown): string {
  return typeof content === "string" ? content : JSON.stringify(content);
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
    toolCall: anthropicToolCall,
    finalAnswer: () => sseResponse(sseEventsOf(fixtureText("anthropic", "messages-stream-text-httprr.sse"))),
    finalText: anthropicText,
    toolResult(body) {
      const blocks = (body.messages as Array<{ content: Json[] | string }>).flatMap((message) =>
        Array.isArray(message.content) ? message.content : [],
      );
      const result = blocks.find((block) => block.type === "tool_result");
      return result ? textOf(result.content) : undefined;
    },
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
    toolCall: googleToolCall,
    finalAnswer: () => sseResponse(sseEventsOf(fixtureText("google", "stream-text-sse.sse"))),
    finalText: googleText,
    toolResult(body) {
      const parts = (body.contents as Array<{ parts: Json[] }>).flatMap((content) => content.parts);
      const result = parts.find((part) => part.functionResponse);
      return result ? textOf(result.functionResponse) : undefined;
    },
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
    toolCall: ollamaToolCall,
    finalAnswer: () => ndjsonResponse(fixtureText("ollama", "chat-stream-httprr.ndjson")),
    finalText: ollamaText,
    toolResult(body) {
      const result = (body.messages as Json[]).find((message) => message.role === "tool");
      return result ? textOf(result.content) : undefined;
    },
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
    toolCall: openaiChatToolCall,
    finalAnswer: () =>
      sseResponse(sseEventsOf(fixtureText("openai", "chat-completions-stream-after-tool-result.sse"))),
    finalText: openaiText,
    toolResult(body) {
      const result = (body.messages as Json[]).find((message) => message.role === "tool");
      return result ? textOf(result.content) : undefined;
    },
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
