// The parts of a Responses answer every rendering shares: the response object around its output, and the items.
// https://platform.openai.com/docs/api-reference/responses/object
import type { ContentBlock } from "../../canonical/content.ts";
import type { CanonicalUsage, StopReason } from "../../canonical/response.ts";
import type { IdSource } from "../../providers/types.ts";
import { encodeEnvelope, needsEnvelope, type ReasoningBlock } from "./reasoning-envelope.ts";
import type { OutputFunctionCall, OutputReasoning, ResponseObject, ResponsesRequest } from "./schema.ts";
import type { ToolNames } from "./tool-names.ts";
import { responsesUsageOf } from "./usage.ts";

/** What a rendering needs of the request: the settings a response object echoes, and the tool-name map. */
export interface ResponsesContext {
  request: ResponsesRequest;
  toolNames: ToolNames;
  newId: IdSource;
  /** Seconds since the epoch, for an answer whose upstream gave no creation time. */
  now: () => number;
}

/** A response id in OpenAI's shape ("resp_..."): an upstream id of another shape is kept behind the prefix. */
export function responseId(id: string, newId: IdSource): string {
  if (id.startsWith("resp_")) return id;
  return id === "" ? newId("resp_") : `resp_${id}`;
}

/** The response's status and incomplete_details for a stop reason. */
export function statusOf(stop: StopReason | null): Pick<ResponseObject, "status" | "incomplete_details"> {
  if (stop === "max_tokens")
    return { status: "incomplete", incomplete_details: { reason: "max_output_tokens" } };
  if (stop === "content_filter")
    return { status: "incomplete", incomplete_details: { reason: "content_filter" } };
  return { status: "completed", incomplete_details: null };
}

/** The response object with the request's settings echoed, as OpenAI answers; output and usage filled by the caller. */
export function responseShell(
  context: ResponsesContext,
  id: string,
  model: string,
  createdAt: number,
): ResponseObject {
  const { request } = context;
  return {
    id,
    object: "response",
    created_at: createdAt || context.now(),
    status: "in_progress",
    background: false,
    error: null,
    incomplete_details: null,
    instructions: request.instructions ?? null,
    max_output_tokens: request.max_output_tokens ?? null,
    model,
    output: [],
    parallel_tool_calls: request.parallel_tool_calls ?? true,
    previous_response_id: null,
    reasoning: { effort: request.reasoning?.effort ?? null, summary: request.reasoning?.summary ?? null },
    // Nothing is kept by the gateway: a translated answer is never stored (README, "Responses API").
    store: false,
    temperature: request.temperature ?? null,
    text: {
      format: (request.text?.format as Record<string, unknown> | null | undefined) ?? { type: "text" },
    },
    tool_choice: request.tool_choice ?? "auto",
    tools: request.tools ?? [],
    top_p: request.top_p ?? null,
    truncation: "disabled",
    usage: null,
    user: request.user ?? null,
    metadata: request.metadata ?? {},
  };
}

export function usageOrNull(usage: CanonicalUsage | undefined): ResponseObject["usage"] {
  return usage ? responsesUsageOf(usage) : null;
}

/** A function_call item for a tool call, its flat name mapped back to the client's {namespace, name}. */
export function functionCallItem(
  id: string,
  call: { id: string; name: string; arguments: string },
  names: ToolNames,
  status: OutputFunctionCall["status"],
): OutputFunctionCall {
  const qualified = names.qualified(call.name);
  const item: OutputFunctionCall = {
    id,
    type: "function_call",
    status,
    arguments: call.arguments,
    call_id: call.id,
    name: qualified.name,
  };
  if (qualified.namespace) item.namespace = qualified.namespace;
  return item;
}

/** A reasoning item: the thinking text as its summary, and what the next turn must send back as encrypted_content. */
export function reasoningItem(id: string, blocks: ReasoningBlock[]): OutputReasoning {
  const text = blocks.flatMap((block) =>
    block.type === "thinking" && block.text !== "" ? [block.text] : [],
  );
  const item: OutputReasoning = {
    id,
    type: "reasoning",
    summary: text.map((part) => ({ type: "summary_text" as const, text: part })),
  };
  if (blocks.some(needsEnvelope)) item.encrypted_content = encodeEnvelope(blocks);
  return item;
}

export function isReasoning(block: ContentBlock): block is ReasoningBlock {
  return block.type === "thinking" || block.type === "redacted_thinking";
}
