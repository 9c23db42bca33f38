// Pure: an OpenAI Responses request -> the canonical request, and the tool-name map its answers are written back with.
// https://platform.openai.com/docs/api-reference/responses/create
import type {
  ContentBlock,
  DocumentBlock,
  ImageBlock,
  MediaSource,
  Message,
  TextBlock,
  ToolResultBlock,
} from "../../canonical/content.ts";
import type {
  CanonicalRequest,
  FunctionTool,
  HostedTool,
  OutputFormat,
  ReasoningOptions,
  ToolChoice,
} from "../../canonical/request.ts";
import { mediaSourceOf } from "../openai-chat/to-canonical.ts";
import { decodeEnvelope, OPENAI_RESPONSES_ORIGIN } from "./reasoning-envelope.ts";
import type {
  ResponsesContentPart,
  ResponsesFunctionTool,
  ResponsesInputItem,
  ResponsesReasoningItem,
  ResponsesRequest,
  ResponsesTool,
} from "./schema.ts";
import { createToolNames, type ToolNames } from "./tool-names.ts";

/** Request fields this translation reads (or deliberately answers for); any other a client sets is `unmapped`. */
const READ_FIELDS = new Set([
  "model",
  "input",
  "instructions",
  "stream",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "reasoning",
  "text",
  "max_output_tokens",
  "temperature",
  "top_p",
  "include",
  "metadata",
  "prompt_cache_key",
  "user",
  "safety_identifier",
  // Answered by the route (a 400, or a warning that nothing is stored): never silently dropped.
  "store",
  "previous_response_id",
]);

type Notes = string[];

export interface ResponsesCanonical {
  canonical: CanonicalRequest;
  toolNames: ToolNames;
}

function partBlock(part: ResponsesContentPart, notes: Notes): ContentBlock | undefined {
  const record = part as Record<string, unknown>;
  switch (part.type) {
    case "input_text":
    case "output_text":
      return { type: "text", text: record.text as string };
    case "refusal":
      return { type: "refusal", text: record.refusal as string };
    case "input_image": {
      const source = imageSource(record);
      if (!source) {
        notes.push("an input_image without image_url or file_id was dropped");
        return undefined;
      }
      const block: ImageBlock = { type: "image", source };
      if (typeof record.detail === "string") block.detail = record.detail;
      return block;
    }
    case "input_file": {
      const source = fileSource(record);
      if (!source) {
        notes.push("an input_file without file_data, file_url or file_id was dropped");
        return undefined;
      }
      const block: DocumentBlock = { type: "document", source };
      if (typeof record.filename === "string") block.filename = record.filename;
      return block;
    }
    default:
      notes.push(`a content part of type ${part.type} was dropped`);
      return undefined;
  }
}

function imageSource(part: Record<string, unknown>): MediaSource | undefined {
  if (typeof part.image_url === "string" && part.image_url !== "") return mediaSourceOf(part.image_url);
  if (typeof part.file_id === "string") return { type: "file", fileId: part.file_id };
  return undefined;
}

function fileSource(part: Record<string, unknown>): MediaSource | undefined {
  // Responses sends file_data as a data: URL; a bare base64 string has no type, and PDF is what input_file takes.
  if (typeof part.file_data === "string" && part.file_data !== "") {
    const source = mediaSourceOf(part.file_data);
    return source.type === "url" && !part.file_data.startsWith("data:")
      ? { type: "base64", mediaType: "application/pdf", data: part.file_data }
      : source;
  }
  if (typeof part.file_url === "string") return { type: "url", url: part.file_url };
  if (typeof part.file_id === "string") return { type: "file", fileId: part.file_id };
  return undefined;
}

function blocksOf(content: string | ResponsesContentPart[], notes: Notes): ContentBlock[] {
  if (typeof content === "string") return content === "" ? [] : [{ type: "text", text: content }];
  const blocks: ContentBlock[] = [];
  for (const part of content) {
    const block = partBlock(part, notes);
    if (block) blocks.push(block);
  }
  return blocks;
}

/**
 * A reasoning item as thinking blocks: the gateway's envelope gives back the provider's own blocks whole; OpenAI's
 * encrypted reasoning is opaque (only OpenAI can read it); summary text alone is unsigned thinking.
 */
function reasoningBlocks(item: ResponsesReasoningItem): ContentBlock[] {
  const encrypted = item.encrypted_content;
  if (encrypted) {
    const blocks = decodeEnvelope(encrypted);
    if (blocks) return blocks;
    return [{ type: "redacted_thinking", data: encrypted, origin: OPENAI_RESPONSES_ORIGIN }];
  }
  const text = [...(item.content ?? []), ...(item.summary ?? [])].map((part) => part.text).join("\n\n");
  return text === "" ? [] : [{ type: "thinking", text }];
}

function toolOutput(
  item: ResponsesInputItem & { type: "function_call_output" },
  notes: Notes,
): ToolResultBlock {
  const content: ToolResultBlock["content"] = [];
  for (const block of blocksOf(item.output as string | ResponsesContentPart[], notes)) {
    if (block.type === "text" || block.type === "image" || block.type === "document") content.push(block);
    else notes.push(`a content part of type ${block.type} in a function_call_output was dropped`);
  }
  return { type: "tool_result", callId: item.call_id as string, content };
}

/** Appends blocks to the last turn when it has this role, else starts a turn: consecutive items make one turn. */
function push(turns: Message[], role: Message["role"], blocks: ContentBlock[]): void {
  if (blocks.length === 0) return;
  const last = turns.at(-1);
  if (last && last.role === role) last.content.push(...blocks);
  else turns.push({ role, content: blocks });
}

function convertInput(
  input: ResponsesRequest["input"],
  names: ToolNames,
  notes: Notes,
): { system: TextBlock[]; messages: Message[] } {
  const system: TextBlock[] = [];
  const turns: Message[] = [];
  if (typeof input === "string") {
    push(turns, "user", blocksOf(input, notes));
    return { system, messages: turns };
  }
  for (const item of input) {
    const record = item as Record<string, unknown>;
    switch (item.type ?? "message") {
      case "message": {
        const role = record.role as string;
        const blocks = blocksOf(record.content as string | ResponsesContentPart[], notes);
        if (role === "system" || role === "developer") {
          if (turns.length > 0)
            notes.push(`a ${role} message inside the conversation was moved to the system prompt`);
          for (const block of blocks) {
            if (block.type === "text") system.push(block);
            else notes.push(`a content part of type ${block.type} in a ${role} message was dropped`);
          }
        } else push(turns, role === "assistant" ? "assistant" : "user", blocks);
        break;
      }
      case "function_call":
        push(turns, "assistant", [
          {
            type: "tool_call",
            id: record.call_id as string,
            name: names.flat(record.name as string, record.namespace as string | null | undefined),
            arguments: record.arguments as string,
          },
        ]);
        break;
      case "function_call_output":
        push(turns, "user", [
          toolOutput(item as ResponsesInputItem & { type: "function_call_output" }, notes),
        ]);
        break;
      case "reasoning":
        push(turns, "assistant", reasoningBlocks(item as ResponsesReasoningItem));
        break;
      default:
        notes.push(`an input item of type ${item.type} was dropped`);
    }
  }
  return { system, messages: turns };
}

function functionTool(tool: ResponsesFunctionTool, name: string): FunctionTool {
  const out: FunctionTool = { name };
  if (tool.description) out.description = tool.description;
  if (tool.parameters) out.parameters = tool.parameters;
  if (tool.strict != null) out.strict = tool.strict;
  return out;
}

/** Functions (namespaced ones flattened), hosted tools kept with their settings, and the name map. */
function convertTools(
  tools: ResponsesTool[],
  notes: Notes,
): { functions: FunctionTool[]; hosted: HostedTool[]; names: ToolNames } {
  const namespaces = new Map<string, string[]>();
  const topLevel: string[] = [];
  for (const tool of tools) {
    if (tool.type === "function") topLevel.push((tool as ResponsesFunctionTool).name);
    if (tool.type === "namespace") {
      const group = tool as { name: string; tools: Array<{ type: string; name?: unknown }> };
      namespaces.set(
        group.name,
        group.tools.flatMap((inner) => (inner.type === "function" ? [inner.name as string] : [])),
      );
    }
  }
  const names = createToolNames(namespaces, topLevel);
  const functions: FunctionTool[] = [];
  const hosted: HostedTool[] = [];
  for (const tool of tools) {
    if (tool.type === "function") {
      const fn = tool as ResponsesFunctionTool;
      functions.push(functionTool(fn, fn.name));
    } else if (tool.type === "namespace") {
      const group = tool as { name: string; tools: Array<{ type: string } & Record<string, unknown>> };
      for (const inner of group.tools) {
        if (inner.type !== "function") {
          notes.push(
            `a ${inner.type} tool in namespace ${group.name} was dropped: only functions are translated`,
          );
          continue;
        }
        const fn = inner as unknown as ResponsesFunctionTool;
        functions.push(functionTool(fn, names.flat(fn.name, group.name)));
      }
    } else if (tool.type === "custom") {
      const name = (tool as { name?: unknown }).name;
      notes.push(
        `the custom tool ${typeof name === "string" ? name : ""} was dropped: only function tools are translated`,
      );
    } else {
      // A tool OpenAI runs (web_search, file_search, code_interpreter...): only OpenAI's own Responses API has it.
      hosted.push({ kind: tool.type, name: tool.type, config: tool as Record<string, unknown> });
    }
  }
  return { functions, hosted, names };
}

function toolChoiceOf(
  choice: ResponsesRequest["tool_choice"],
  names: ToolNames,
  notes: Notes,
): ToolChoice | undefined {
  if (choice == null) return undefined;
  if (typeof choice === "string") return { type: choice };
  const record = choice as Record<string, unknown>;
  if (record.type === "function" && typeof record.name === "string") {
    return { type: "tool", name: names.flat(record.name, record.namespace as string | null | undefined) };
  }
  notes.push(`tool_choice of type ${String(record.type)} was dropped`);
  return undefined;
}

function outputOf(text: ResponsesRequest["text"]): OutputFormat | undefined {
  const format = text?.format;
  if (format == null) return undefined;
  if (format.type !== "json_schema") return { type: format.type as "text" | "json_object" };
  const record = format as Record<string, unknown>;
  const output: OutputFormat = { type: "json_schema", name: record.name as string };
  output.schema = record.schema as Record<string, unknown>;
  if (typeof record.strict === "boolean") output.strict = record.strict;
  if (typeof record.description === "string") output.description = record.description;
  return output;
}

function reasoningOf(request: ResponsesRequest): ReasoningOptions | undefined {
  const reasoning: ReasoningOptions = {};
  if (request.reasoning?.effort) reasoning.effort = request.reasoning.effort;
  if (request.reasoning?.summary) reasoning.summary = request.reasoning.summary;
  if (request.include?.includes("reasoning.encrypted_content")) reasoning.includeEncrypted = true;
  return Object.keys(reasoning).length > 0 ? reasoning : undefined;
}

export function responsesToCanonical(request: ResponsesRequest): ResponsesCanonical {
  const notes: Notes = [];
  const { functions, hosted, names } = convertTools(request.tools ?? [], notes);
  const { system, messages } = convertInput(request.input, names, notes);
  if (request.instructions) system.unshift({ type: "text", text: request.instructions });
  const canonical: CanonicalRequest = {
    system,
    messages,
    tools: functions,
    hostedTools: hosted,
    stop: [],
    stream: request.stream === true,
    // A Responses stream always ends with the usage, in response.completed.
    includeUsage: true,
    choices: 1,
    unmapped: [],
    notes,
  };
  if (request.max_output_tokens != null) canonical.maxOutputTokens = request.max_output_tokens;
  if (request.temperature != null) canonical.temperature = request.temperature;
  if (request.top_p != null) canonical.topP = request.top_p;
  const toolChoice = toolChoiceOf(request.tool_choice, names, notes);
  if (toolChoice) canonical.toolChoice = toolChoice;
  if (request.parallel_tool_calls != null) canonical.parallelToolCalls = request.parallel_tool_calls;
  const output = outputOf(request.text);
  if (output) canonical.output = output;
  const reasoning = reasoningOf(request);
  if (reasoning) canonical.reasoning = reasoning;
  const user = request.user ?? request.safety_identifier;
  if (user != null) canonical.user = user;
  if (request.metadata != null) canonical.metadata = request.metadata;
  if (request.prompt_cache_key != null) canonical.promptCacheKey = request.prompt_cache_key;
  if (request.store === true) {
    notes.push(
      "store: true was not honoured: the gateway keeps no responses; send the whole conversation as input",
    );
  }
  const record = request as Record<string, unknown>;
  for (const [field, value] of Object.entries(record)) {
    // A false flag asks for nothing another provider would have to do.
    if (!READ_FIELDS.has(field) && value != null && value !== false) canonical.unmapped.push(field);
  }
  // text.verbosity and other text settings than its format have no canonical meaning.
  for (const field of Object.keys(request.text ?? {})) {
    if (field !== "format") canonical.unmapped.push(`text.${field}`);
  }
  return { canonical, toolNames: names };
}
