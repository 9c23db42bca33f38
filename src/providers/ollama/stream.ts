// Ollama's NDJSON /api/chat lines -> our chat.completion.chunks: a stateful transform, usage or a cut reported when
// the body ends (the lines come from ../event-stream.ts).
// Stream lines: https://github.com/ollama/ollama/blob/main/docs/api.md#chat-request-streaming-with-tools
// Mid-stream errors: https://github.com/ollama/ollama/blob/main/docs/api/errors.mdx
import type { ChatCompletionChunk, ChunkDelta, ChunkToolCall, FinishReason, Usage } from "../../api/chat.ts";
import { streamCutError, type KeySource } from "../../api/errors.ts";
import type { Logger } from "../../log/logger.ts";
import type { IdSource, StreamChunk } from "../types.ts";
import { errorFromStreamEvent, ollamaErrorMessage } from "./errors.ts";
import { argumentsText, finishReasonFor, toResponseToolCall, usageFrom } from "./response.ts";
import { type OllamaChatResponse, ollamaChatResponseSchema } from "./wire.ts";

export interface StreamContext {
  providerId: string;
  id: string;
  /** Seconds since the epoch, the same on every chunk. */
  created: number;
  /** Used when the upstream does not name its model. */
  model: string;
  includeUsage: boolean;
  keySource: KeySource;
  newId: IdSource;
  logger: Logger;
}

/** Ollama gives each tool call whole: id and name go in one piece, the arguments in the next, as OpenAI does. */
function toolCallPieces(line: OllamaChatResponse, firstIndex: number, newId: IdSource): ChunkToolCall[][] {
  const pieces: ChunkToolCall[][] = [];
  (line.message?.tool_calls ?? []).forEach((call, offset) => {
    const index = firstIndex + offset;
    const whole = toResponseToolCall(call, newId);
    pieces.push([
      { index, id: whole.id, type: "function", function: { name: whole.function.name, arguments: "" } },
    ]);
    pieces.push([{ index, function: { arguments: argumentsText(call.function.arguments) } }]);
  });
  return pieces;
}

/** Parses one NDJSON line; undefined (after a warning) when it is not JSON or not a chat line. */
type ParsedLine = { kind: "error"; payload: unknown } | { kind: "line"; line: OllamaChatResponse };

function parseLine(line: string, context: StreamContext): ParsedLine | undefined {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    context.logger.warn("skipped an upstream stream line that is not JSON", {
      provider: context.providerId,
      bytes: line.length,
    });
    return undefined;
  }
  if (ollamaErrorMessage(json) !== undefined) return { kind: "error", payload: json };
  const parsed = ollamaChatResponseSchema.safeParse(json);
  if (!parsed.success) {
    context.logger.warn("skipped an upstream stream line of unknown shape", { provider: context.providerId });
    return undefined;
  }
  return { kind: "line", line: parsed.data };
}

/** Every chunk carries the same id, created and model (the first one the upstream reported). */
function envelope(
  context: StreamContext,
  model: string | undefined,
  choices: ChatCompletionChunk["choices"],
  usage?: Usage,
): StreamChunk {
  const chunk: ChatCompletionChunk = {
    id: context.id,
    object: "chat.completion.chunk",
    created: context.created,
    model: model ?? context.model,
    choices,
  };
  if (usage) chunk.usage = usage;
  return { chunk };
}

/**
 * One NDJSON line at a time -> chunks. The stream closes normally only after a done:true line; a body that
 * ends before it errors with a stream-cut GatewayError, and an {"error"} line errors it with its message.
 */
export function ollamaStreamTransformer(context: StreamContext): Transformer<string, StreamChunk> {
  let model: string | undefined;
  let roleSent = false;
  let done = false;
  let toolCount = 0;
  let usage: Usage | undefined;

  const chunk = (delta: ChunkDelta, finishReason: FinishReason | null): StreamChunk =>
    envelope(context, model, [{ index: 0, delta, finish_reason: finishReason, logprobs: null }]);

  function withRole(delta: ChunkDelta): ChunkDelta {
    if (roleSent) return delta;
    roleSent = true;
    return { role: "assistant", ...delta };
  }

  function emitLine(
    line: OllamaChatResponse,
    controller: TransformStreamDefaultController<StreamChunk>,
  ): void {
    const delta: ChunkDelta = {};
    if (line.message?.thinking) delta.reasoning_content = line.message.thinking;
    if (line.message?.content) delta.content = line.message.content;
    if (Object.keys(delta).length > 0) controller.enqueue(chunk(withRole(delta), null));
    for (const toolCalls of toolCallPieces(line, toolCount, context.newId)) {
      controller.enqueue(chunk(withRole({ tool_calls: toolCalls }), null));
    }
    toolCount += line.message?.tool_calls?.length ?? 0;
    if (line.done === true) {
      // An empty answer still opens with the role, as OpenAI's first chunk does.
      const finalDelta: ChunkDelta = roleSent ? {} : withRole({ content: "" });
      controller.enqueue(chunk(finalDelta, finishReasonFor(line.done_reason, toolCount > 0)));
      usage = usageFrom(line);
      done = true;
    }
  }

  return {
    transform(text, controller) {
      if (done) {
        context.logger.warn("ignored an upstream stream line after done:true", {
          provider: context.providerId,
        });
        return;
      }
      const parsed = parseLine(text, context);
      if (parsed === undefined) return;
      if (parsed.kind === "error") {
        controller.error(errorFromStreamEvent(context.providerId, parsed.payload, context.keySource));
        return;
      }
      model ??= parsed.line.model ?? undefined;
      emitLine(parsed.line, controller);
    },
    flush(controller) {
      if (!done) {
        controller.error(streamCutError(context.providerId));
        return;
      }
      if (context.includeUsage && usage) controller.enqueue(envelope(context, model, [], usage));
    },
  };
}
