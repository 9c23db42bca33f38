// What an openai SDK client sees: a chunk stream folded into one answer, and assistant messages built to send back.
import OpenAI from "openai";

/** Our extension fields on a message or a delta (reasoning text and the round-trip reasoning entries). */
export interface ReasoningFields {
  reasoning_content?: string;
  reasoning_details?: unknown[];
}

export interface CollectedToolCall {
  index: number;
  id: string;
  type: string;
  name: string;
  arguments: string;
}

export interface CollectedStream {
  chunks: OpenAI.ChatCompletionChunk[];
  ids: Set<string>;
  models: Set<string>;
  objects: Set<string>;
  /** The role of the first delta, as OpenAI's first chunk carries it. */
  firstRole: string | undefined;
  content: string;
  reasoning: string;
  reasoningDetails: unknown[];
  toolCalls: CollectedToolCall[];
  finishReasons: string[];
  usage: OpenAI.CompletionUsage | undefined;
  /** Chunks that carry nothing a client can use (no role, delta field, finish or usage). */
  emptyChunks: number;
}

function deltaHasSomething(delta: OpenAI.ChatCompletionChunk.Choice.Delta & ReasoningFields): boolean {
  return (
    delta.role !== undefined ||
    (typeof delta.content === "string" && delta.content !== "") ||
    (delta.reasoning_content ?? "") !== "" ||
    (delta.reasoning_details?.length ?? 0) > 0 ||
    (delta.tool_calls?.length ?? 0) > 0
  );
}

/** Reads the SDK's stream to its end, assembling tool calls by index the way OpenAI clients do. */
export async function collectStream(
  stream: AsyncIterable<OpenAI.ChatCompletionChunk>,
): Promise<CollectedStream> {
  const out: CollectedStream = {
    chunks: [],
    ids: new Set(),
    models: new Set(),
    objects: new Set(),
    firstRole: undefined,
    content: "",
    reasoning: "",
    reasoningDetails: [],
    toolCalls: [],
    finishReasons: [],
    usage: undefined,
    emptyChunks: 0,
  };
  for await (const chunk of stream) {
    out.chunks.push(chunk);
    out.ids.add(chunk.id);
    out.models.add(chunk.model);
    out.objects.add(chunk.object);
    if (chunk.usage) out.usage = chunk.usage;
    const choice = chunk.choices[0];
    if (!choice) continue;
    const delta: OpenAI.ChatCompletionChunk.Choice.Delta & ReasoningFields = choice.delta;
    if (out.chunks.length === 1) out.firstRole = delta.role;
    if (!deltaHasSomething(delta) && choice.finish_reason == null) out.emptyChunks += 1;
    out.content += delta.content ?? "";
    out.reasoning += delta.reasoning_content ?? "";
    out.reasoningDetails.push(...(delta.reasoning_details ?? []));
    for (const piece of delta.tool_calls ?? []) {
      let call = out.toolCalls.find((known) => known.index === piece.index);
      if (!call) {
        call = { index: piece.index, id: "", type: "", name: "", arguments: "" };
        out.toolCalls.push(call);
      }
      call.id += piece.id ?? "";
      call.type += piece.type ?? "";
      call.name += piece.function?.name ?? "";
      call.arguments += piece.function?.arguments ?? "";
    }
    if (choice.finish_reason) out.finishReasons.push(choice.finish_reason);
  }
  return out;
}

/** The assistant turn a client sends back after a streamed answer: text, tool calls and our reasoning fields. */
export function assistantFromStream(collected: CollectedStream): OpenAI.ChatCompletionAssistantMessageParam {
  const message: OpenAI.ChatCompletionAssistantMessageParam & ReasoningFields = {
    role: "assistant",
    content: collected.content === "" ? null : collected.content,
  };
  if (collected.toolCalls.length > 0) {
    message.tool_calls = collected.toolCalls.map((call) => ({
      id: call.id,
      type: "function",
      function: { name: call.name, arguments: call.arguments },
    }));
  }
  if (collected.reasoning !== "") message.reasoning_content = collected.reasoning;
  if (collected.reasoningDetails.length > 0) message.reasoning_details = collected.reasoningDetails;
  return message;
}

/**
 * The assistant turn a client sends back after a non-streamed answer: the message as it came, which keeps
 * our extension fields (clients that replay the message object, as most agent loops do).
 */
export function assistantFromCompletion(
  completion: OpenAI.ChatCompletion,
): OpenAI.ChatCompletionAssistantMessageParam {
  const message = completion.choices[0]?.message;
  if (!message) throw new Error("the completion has no message");
  const { role: _role, refusal: _refusal, annotations: _annotations, audio: _audio, ...rest } = message;
  return { role: "assistant", ...rest, tool_calls: message.tool_calls ?? undefined };
}

/** A Chat Completions function tool, as a recording's request declared it (a description only where it had one). */
export function chatTool(
  name: string,
  parameters: Record<string, unknown>,
  description?: string,
): OpenAI.ChatCompletionTool {
  return {
    type: "function",
    function: { name, ...(description !== undefined ? { description } : {}), parameters },
  };
}

/** The rejection of an SDK call, which the test expects to be an APIError. */
export async function apiErrorOf(promise: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OpenAI.APIError) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}

/** The upstream SSE payloads of a recorded body, parsed independently of any translator under test. */
export { ssePayloads } from "../../src/providers/testing.ts";
