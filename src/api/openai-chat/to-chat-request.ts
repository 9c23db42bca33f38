// Pure: the canonical request -> an OpenAI Chat Completions body, for an upstream of this wire serving a client
// that spoke another dialect. (A client that spoke this one has its own body forwarded instead.)
import type {
  ContentBlock,
  DocumentBlock,
  Message,
  TextBlock,
  ToolResultBlock,
} from "../../canonical/content.ts";
import type { CanonicalRequest } from "../../canonical/request.ts";
import type { ChatMessage, ContentPart } from "../chat.ts";
import { detailOf, type ReasoningDetail } from "./reasoning-details.ts";

type Warn = (text: string) => void;

function urlOf(source: Extract<ContentBlock, { type: "image" }>["source"]): string | undefined {
  if (source.type === "url") return source.url;
  if (source.type === "base64") return `data:${source.mediaType};base64,${source.data}`;
  return undefined;
}

/**
 * A document as the Chat API's file part: bytes as a data: URL in file_data, or an uploaded file's id
 * (https://platform.openai.com/docs/guides/pdf-files?api-mode=chat). OpenAI refuses file_data without a filename
 * (a 400 that names file_id: https://github.com/openai/openai-agents-python/pull/1513), and an Anthropic document
 * has none: one is made from the media type, a label the model reads no meaning into.
 */
function filePart(block: DocumentBlock, warn: Warn): ContentPart | undefined {
  const source = block.source;
  const file: Record<string, unknown> = {};
  if (source.type === "file") file.file_id = source.fileId;
  else if (source.type === "base64") file.file_data = `data:${source.mediaType};base64,${source.data}`;
  else {
    warn("a document given by URL was dropped: the Chat API takes file data or ids");
    return undefined;
  }
  const made =
    source.type === "base64"
      ? `document.${source.mediaType === "application/pdf" ? "pdf" : "bin"}`
      : undefined;
  const filename = block.filename ?? made;
  if (filename) file.filename = filename;
  if (block.title !== undefined) warn("document titles were dropped (the Chat API's file part has none)");
  return { type: "file", file } as ContentPart;
}

function partOf(block: ContentBlock, warn: Warn): ContentPart | undefined {
  switch (block.type) {
    case "text":
      return { type: "text", text: block.text };
    case "image": {
      const url = urlOf(block.source);
      if (url === undefined) {
        warn("an image given by file id was dropped: the Chat API takes URLs and data");
        return undefined;
      }
      return { type: "image_url", image_url: { url, ...(block.detail ? { detail: block.detail } : {}) } };
    }
    case "document":
      return filePart(block, warn);
    case "audio":
      return { type: "input_audio", input_audio: { data: block.data, format: block.format } } as ContentPart;
    default:
      return undefined;
  }
}

function userMessages(message: Message, warn: Warn): ChatMessage[] {
  const out: ChatMessage[] = [];
  const parts: ContentPart[] = [];
  for (const block of message.content) {
    if (block.type === "tool_result") {
      out.push(toolMessage(block));
      carryMedia(block, parts, warn);
    } else {
      const part = partOf(block, warn);
      if (part) parts.push(part);
    }
  }
  if (parts.length > 0) {
    const content = parts.every((part) => part.type === "text")
      ? parts.map((part) => (part as { text: string }).text).join("")
      : parts;
    out.push({ role: "user", content, ...(message.name ? { name: message.name } : {}) });
  }
  return out;
}

function toolMessage(block: ToolResultBlock): ChatMessage {
  const texts = block.content.filter((part): part is TextBlock => part.type === "text");
  return { role: "tool", tool_call_id: block.callId, content: texts.map((part) => part.text).join("") };
}

/**
 * A tool message takes text only (https://platform.openai.com/docs/api-reference/chat/create#chat-create-messages):
 * a tool result's images and documents (a PDF a Read tool returned) go in the user message that follows the tool
 * messages, so the model still sees them.
 */
function carryMedia(block: ToolResultBlock, parts: ContentPart[], warn: Warn): void {
  let carried = false;
  for (const inner of block.content) {
    if (inner.type === "text") continue;
    const part = partOf(inner, warn);
    if (part) {
      parts.push(part);
      carried = true;
    }
  }
  if (carried)
    warn("a tool result's images and documents were sent in a user message after the tool message");
}

function assistantMessage(message: Message): ChatMessage {
  const text: string[] = [];
  const reasoning: string[] = [];
  const details: ReasoningDetail[] = [];
  const calls: Array<{ id: string; type: "function"; function: { name: string; arguments: string } }> = [];
  for (const block of message.content) {
    if (block.type === "text") text.push(block.text);
    else if (block.type === "thinking") {
      reasoning.push(block.text);
      if (block.signature) details.push(detailOf(block, details.length));
    } else if (block.type === "redacted_thinking") details.push(detailOf(block, details.length));
    else if (block.type === "tool_call") {
      calls.push({
        id: block.id,
        type: "function",
        function: { name: block.name, arguments: block.arguments },
      });
    }
  }
  const out: Record<string, unknown> = { role: "assistant", content: text.length > 0 ? text.join("") : null };
  if (reasoning.length > 0) out.reasoning_content = reasoning.join("\n\n");
  if (details.length > 0) out.reasoning_details = details;
  if (calls.length > 0) out.tool_calls = calls;
  return out as ChatMessage;
}

export function chatRequestOf(request: CanonicalRequest, model: string, warn: Warn): Record<string, unknown> {
  const messages: ChatMessage[] = [];
  if (request.system.length > 0) {
    messages.push({ role: "system", content: request.system.map((block) => block.text).join("\n\n") });
  }
  for (const message of request.messages) {
    if (message.role === "user") messages.push(...userMessages(message, warn));
    else messages.push(assistantMessage(message));
  }
  const body: Record<string, unknown> = { model, messages };
  if (request.stream) {
    body.stream = true;
    if (request.includeUsage) body.stream_options = { include_usage: true };
  }
  if (request.maxOutputTokens !== undefined) body.max_completion_tokens = request.maxOutputTokens;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.stop.length > 0) body.stop = request.stop;
  if (request.seed !== undefined) body.seed = request.seed;
  if (request.presencePenalty !== undefined) body.presence_penalty = request.presencePenalty;
  if (request.frequencyPenalty !== undefined) body.frequency_penalty = request.frequencyPenalty;
  if (request.choices > 1) body.n = request.choices;
  if (request.tools.length > 0) {
    body.tools = request.tools.map((tool) => ({
      type: "function",
      function: {
        name: tool.name,
        ...(tool.description !== undefined ? { description: tool.description } : {}),
        ...(tool.parameters !== undefined ? { parameters: tool.parameters } : {}),
        ...(tool.strict !== undefined ? { strict: tool.strict } : {}),
      },
    }));
  }
  for (const tool of request.hostedTools)
    warn(`the hosted tool ${tool.name} was dropped: the Chat API runs no hosted tools`);
  const choice = request.toolChoice;
  if (choice)
    body.tool_choice =
      choice.type === "tool" ? { type: "function", function: { name: choice.name } } : choice.type;
  if (request.parallelToolCalls !== undefined) body.parallel_tool_calls = request.parallelToolCalls;
  const output = request.output;
  if (output) {
    body.response_format =
      output.type === "json_schema"
        ? {
            type: "json_schema",
            json_schema: {
              name: output.name,
              ...(output.schema ? { schema: output.schema } : {}),
              ...(output.strict !== undefined ? { strict: output.strict } : {}),
              ...(output.description ? { description: output.description } : {}),
            },
          }
        : { type: output.type };
  }
  if (request.reasoning?.effort !== undefined) body.reasoning_effort = request.reasoning.effort;
  if (request.user !== undefined) body.user = request.user;
  if (request.metadata !== undefined) body.metadata = request.metadata;
  if (request.promptCacheKey !== undefined) body.prompt_cache_key = request.promptCacheKey;
  return body;
}
