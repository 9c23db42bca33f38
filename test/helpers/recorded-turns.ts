// The two model turns a real agent client is driven through in the client suites (Codex, Claude Code): each provider's
// recorded tool-call stream, its call renamed to the client's own tool with the arguments the test wants, then the
// provider's recorded text stream as the final answer (and that text, read from the recording); per provider type in
// `agentTurns`, scripted for a mock by `scriptedTurns`.
import type { ProviderType } from "../../src/config/schema.ts";
import {
  fixtureText,
  type MockHandler,
  ndjsonResponse,
  sseEventsOf,
  ssePayloads,
  sseResponse,
} from "../../src/providers/testing.ts";

type Json = Record<string, unknown>;

/** The tool a recorded call is made into: the client's tool name and the arguments (a JSON object's text). */
export interface ToolCallSpec {
  name: string;
  args: string;
}

const named = (event: Json) => `event: ${event.type as string}\ndata: ${JSON.stringify(event)}\n\n`;

/** Anthropic's recorded parallel tool-use stream, first call only, as the client's tool with the given arguments. */
export function anthropicToolCall(spec: ToolCallSpec): Response {
  const events = ssePayloads(fixtureText("anthropic", "messages-stream-parallel-tool-use.sse"));
  const kept = events
    .filter((event) => event.index === undefined || event.index === 0)
    .map((event) => {
      const block = event.content_block as Json | undefined;
      if (event.type === "content_block_start" && block?.type === "tool_use") {
        return { ...event, content_block: { ...block, name: spec.name } };
      }
      const delta = event.delta as Json | undefined;
      if (delta?.type === "input_json_delta")
        return { ...event, delta: { ...delta, partial_json: spec.args } };
      return event;
    });
  return sseResponse(kept.map(named));
}

/** Gemini's recorded thought-then-call stream, the call renamed with the given args. */
export function googleToolCall(spec: ToolCallSpec): Response {
  const chunks = JSON.parse(
    fixtureText("google", "stream-jsonarray-thought-and-function-call.json"),
  ) as Array<{
    candidates: Array<{ content: { parts: Json[] } }>;
  }>;
  for (const chunk of chunks) {
    for (const part of chunk.candidates[0]?.content.parts ?? []) {
      if (part.functionCall) part.functionCall = { name: spec.name, args: JSON.parse(spec.args) };
    }
  }
  return sseResponse(chunks.map((chunk) => `data: ${JSON.stringify(chunk)}\r\n\r\n`));
}

/** Ollama's recorded cloud tool call (one NDJSON line, as Ollama streams a call), renamed and with new arguments. */
export function ollamaToolCall(spec: ToolCallSpec): Response {
  const answer = JSON.parse(fixtureText("ollama", "chat-tool-call-cloud-httprr.json"));
  answer.message.tool_calls = [
    {
      ...answer.message.tool_calls[0],
      function: { index: 0, name: spec.name, arguments: JSON.parse(spec.args) },
    },
  ];
  return ndjsonResponse(`${JSON.stringify(answer)}\n`);
}

/** OpenAI Chat's recorded tool-call stream: the call renamed, its arguments sent in the first argument chunk. */
export function openaiChatToolCall(spec: ToolCallSpec): Response {
  const text = fixtureText("openai", "chat-completions-stream-tool-call.sse");
  let first = true;
  const events = sseEventsOf(text).map((event) => {
    const data = event.trim().slice("data: ".length);
    if (data === "[DONE]") return event;
    const chunk = JSON.parse(data) as { choices: Array<{ delta?: { tool_calls?: Json[] } }> };
    for (const piece of chunk.choices[0]?.delta?.tool_calls ?? []) {
      const fn = piece.function as Json;
      if (fn.name) fn.name = spec.name;
      fn.arguments = first ? spec.args : "";
      first = false;
    }
    return `data: ${JSON.stringify(chunk)}\n\n`;
  });
  return sseResponse(events);
}

/** The final answers' recorded streams, and their text as the recording has it (the SDK suites' text streams too). */
export const finalAnswers = {
  anthropic: {
    respond: () => sseResponse(sseEventsOf(fixtureText("anthropic", "messages-stream-text-httprr.sse"))),
    text: ssePayloads(fixtureText("anthropic", "messages-stream-text-httprr.sse"))
      .map((event) => (event.delta as { text?: string } | undefined)?.text ?? "")
      .join(""),
  },
  google: {
    respond: () => sseResponse(sseEventsOf(fixtureText("google", "stream-text-sse.sse"))),
    text: ssePayloads(fixtureText("google", "stream-text-sse.sse"))
      .flatMap(
        (chunk) =>
          (chunk as { candidates: Array<{ content: { parts: Array<{ text?: string }> } }> }).candidates,
      )
      .flatMap((candidate) => candidate.content.parts.map((part) => part.text ?? ""))
      .join(""),
  },
  ollama: {
    respond: () => ndjsonResponse(fixtureText("ollama", "chat-stream-httprr.ndjson")),
    text: fixtureText("ollama", "chat-stream-httprr.ndjson")
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => (JSON.parse(line) as { message?: { content?: string } }).message?.content ?? "")
      .join(""),
  },
  openai: {
    respond: () =>
      sseResponse(sseEventsOf(fixtureText("openai", "chat-completions-stream-after-tool-result.sse"))),
    text: ssePayloads(fixtureText("openai", "chat-completions-stream-after-tool-result.sse"))
      .flatMap((chunk) => (chunk as { choices: Array<{ delta?: { content?: string } }> }).choices ?? [])
      .map((choice) => choice.delta?.content ?? "")
      .join(""),
  },
};

function textOf(content: unknown): string {
  return typeof content === "string" ? content : JSON.stringify(content);
}

/** A tool result in each provider's own request form, as its text; undefined when the request holds none. */
export const toolResultIn = {
  anthropic(body: Json): string | undefined {
    const blocks = (body.messages as Array<{ content: Json[] | string }>).flatMap((message) =>
      Array.isArray(message.content) ? message.content : [],
    );
    const result = blocks.find((block) => block.type === "tool_result");
    return result ? textOf(result.content) : undefined;
  },
  google(body: Json): string | undefined {
    const parts = (body.contents as Array<{ parts: Json[] }>).flatMap((content) => content.parts);
    const result = parts.find((part) => part.functionResponse);
    return result ? textOf(result.functionResponse) : undefined;
  },
  /** OpenAI Chat and Ollama: a message of role "tool". */
  chat(body: Json): string | undefined {
    const result = (body.messages as Json[]).find((message) => message.role === "tool");
    return result ? textOf(result.content) : undefined;
  },
};

/** A provider type's side of an agent client's run: its two turns, and where its requests carry the tool result. */
export interface AgentTurns {
  /** The recorded tool call, made into the client's tool. */
  toolCall(spec: ToolCallSpec): Response;
  finalAnswer: () => Response;
  finalText: string;
  /** The command's output as the provider's own tool result, or undefined when the request holds none. */
  toolResult(body: Json): string | undefined;
}

export const agentTurns: Record<ProviderType, AgentTurns> = {
  anthropic: {
    toolCall: anthropicToolCall,
    finalAnswer: finalAnswers.anthropic.respond,
    finalText: finalAnswers.anthropic.text,
    toolResult: toolResultIn.anthropic,
  },
  google: {
    toolCall: googleToolCall,
    finalAnswer: finalAnswers.google.respond,
    finalText: finalAnswers.google.text,
    toolResult: toolResultIn.google,
  },
  ollama: {
    toolCall: ollamaToolCall,
    finalAnswer: finalAnswers.ollama.respond,
    finalText: finalAnswers.ollama.text,
    toolResult: toolResultIn.chat,
  },
  openai: {
    toolCall: openaiChatToolCall,
    finalAnswer: finalAnswers.openai.respond,
    finalText: finalAnswers.openai.text,
    toolResult: toolResultIn.chat,
  },
};

/** The mock's script: the tool call until the request carries a tool result, then the final answer. */
export function scriptedTurns(turns: AgentTurns, spec: ToolCallSpec): MockHandler {
  return (request) =>
    turns.toolResult(request.body as Json) === undefined ? turns.toolCall(spec) : turns.finalAnswer();
}
