// OpenAI's own Responses API answer -> the canonical answer. A Responses client is sent the body as it came
// (index.ts); this reads what the router needs of it (usage, whether it is whole) and what another rendering would.
// https://platform.openai.com/docs/api-reference/responses/object
import { z } from "zod";
import { OPENAI_RESPONSES_ORIGIN } from "../../api/openai-responses/reasoning-envelope.ts";
import { canonicalUsageOf } from "../../api/openai-responses/usage.ts";
import type { ContentBlock } from "../../canonical/content.ts";
import type { CanonicalResponse, StopReason } from "../../canonical/response.ts";
import { badResponse } from "../errors.ts";

/** A field of the wrong type is read as absent: the answer still counts. */
const lenient = <T extends z.ZodType>(schema: T) => schema.nullish().catch(undefined);

const usageSchema = z.looseObject({
  input_tokens: z.number(),
  output_tokens: z.number(),
  input_tokens_details: lenient(z.looseObject({ cached_tokens: lenient(z.number()) })),
  output_tokens_details: lenient(z.looseObject({ reasoning_tokens: lenient(z.number()) })),
});

const itemSchema = z.looseObject({
  type: z.string(),
  id: lenient(z.string()),
  // message
  content: lenient(
    z.array(z.looseObject({ type: z.string(), text: lenient(z.string()), refusal: lenient(z.string()) })),
  ),
  // function_call
  call_id: lenient(z.string()),
  name: lenient(z.string()),
  arguments: lenient(z.string()),
  // reasoning
  summary: lenient(z.array(z.looseObject({ text: lenient(z.string()) }))),
  encrypted_content: lenient(z.string()),
});

export const responseObjectSchema = z.looseObject({
  id: z.string(),
  object: z.literal("response"),
  created_at: lenient(z.number()),
  model: lenient(z.string()),
  status: lenient(z.string()),
  incomplete_details: lenient(z.looseObject({ reason: lenient(z.string()) })),
  error: lenient(z.looseObject({ code: lenient(z.string()), message: lenient(z.string()) })),
  output: z.array(itemSchema),
  usage: lenient(usageSchema),
});

export type ResponseObjectWire = z.infer<typeof responseObjectSchema>;

/** Why a response stopped: its status and incomplete_details, and whether it ends in function calls. */
export function stopReasonOf(
  object: Pick<ResponseObjectWire, "status" | "incomplete_details">,
  calls: boolean,
): StopReason {
  if (object.status === "incomplete") {
    return object.incomplete_details?.reason === "content_filter" ? "content_filter" : "max_tokens";
  }
  return calls ? "tool_use" : "end_turn";
}

function blocksOf(item: z.infer<typeof itemSchema>): ContentBlock[] {
  switch (item.type) {
    case "message":
      return (item.content ?? []).flatMap((part): ContentBlock[] => {
        if (part.type === "output_text") return [{ type: "text", text: part.text ?? "" }];
        if (part.type === "refusal") return [{ type: "refusal", text: part.refusal ?? "" }];
        return [];
      });
    case "function_call":
      return [
        { type: "tool_call", id: item.call_id ?? "", name: item.name ?? "", arguments: item.arguments ?? "" },
      ];
    case "reasoning": {
      const text = (item.summary ?? []).map((part) => part.text ?? "").join("\n\n");
      const block: ContentBlock = { type: "thinking", text, origin: OPENAI_RESPONSES_ORIGIN };
      if (item.encrypted_content) block.signature = item.encrypted_content;
      return [block];
    }
    default:
      // Hosted tools (web_search_call and the like) ran upstream; their item is the client's to read as it came.
      return [{ type: "server_tool_call", id: item.id ?? "", name: item.type, input: item }];
  }
}

/** The parsed answer, or the bad_response that fails the attempt over. */
export function parseResponseObject(providerId: string, text: string): ResponseObjectWire {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw badResponse(providerId, "the body is not JSON");
  }
  const parsed = responseObjectSchema.safeParse(json);
  if (!parsed.success) throw badResponse(providerId, "the body is not a response object");
  return parsed.data;
}

export function responseObjectToCanonical(object: ResponseObjectWire): CanonicalResponse {
  const content = object.output.flatMap(blocksOf);
  const response: CanonicalResponse = {
    id: object.id,
    model: object.model ?? "",
    created: object.created_at ?? 0,
    content,
    stopReason: stopReasonOf(
      object,
      content.some((block) => block.type === "tool_call"),
    ),
  };
  if (object.usage) response.usage = canonicalUsageOf(object.usage);
  return response;
}
