// Pure: a canonical answer -> a Responses response object.
// https://platform.openai.com/docs/api-reference/responses/object
import type { CanonicalResponse } from "../../canonical/response.ts";
import type { ReasoningBlock } from "./reasoning-envelope.ts";
import {
  functionCallItem,
  isReasoning,
  type ResponsesContext,
  reasoningItem,
  responseId,
  responseShell,
  statusOf,
  usageOrNull,
} from "./response-object.ts";
import type { OutputContentPart, OutputItem, OutputMessage, ResponseObject } from "./schema.ts";

/**
 * Output items in the answer's order: a run of text and refusal blocks is one message, a run of thinking blocks one
 * reasoning item, each tool call a function_call. Server tool blocks have no item here (hosted tools run only on
 * OpenAI, whose own answer is forwarded), so they are left out.
 */
export function outputItems(response: CanonicalResponse, context: ResponsesContext): OutputItem[] {
  const items: OutputItem[] = [];
  let message: OutputMessage | undefined;
  let reasoning: ReasoningBlock[] | undefined;
  const flushReasoning = () => {
    if (reasoning) items.push(reasoningItem(context.newId("rs_"), reasoning));
    reasoning = undefined;
  };
  for (const block of response.content) {
    if (isReasoning(block)) {
      message = undefined;
      (reasoning ??= []).push(block);
      continue;
    }
    flushReasoning();
    if (block.type === "text" || block.type === "refusal") {
      const part: OutputContentPart =
        block.type === "text"
          ? { type: "output_text", text: block.text, annotations: block.citations ?? [], logprobs: [] }
          : { type: "refusal", refusal: block.text };
      if (!message) {
        message = {
          id: context.newId("msg_"),
          type: "message",
          status: "completed",
          role: "assistant",
          content: [],
        };
        items.push(message);
      }
      message.content.push(part);
      continue;
    }
    message = undefined;
    if (block.type === "tool_call") {
      items.push(functionCallItem(context.newId("fc_"), block, context.toolNames, "completed"));
    }
  }
  flushReasoning();
  return items;
}

export function renderResponse(response: CanonicalResponse, context: ResponsesContext): ResponseObject {
  const object = responseShell(
    context,
    responseId(response.id, context.newId),
    response.model,
    response.created,
  );
  Object.assign(object, statusOf(response.stopReason));
  object.output = outputItems(response, context);
  object.usage = usageOrNull(response.usage);
  return object;
}
