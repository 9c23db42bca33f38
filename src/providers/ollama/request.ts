// Pure translation of the canonical request into an Ollama /api/chat request body, and what could not be sent.
// Field reference: https://github.com/ollama/ollama/blob/main/docs/api.md#generate-a-chat-completion
import type {
  CanonicalRequest,
  FunctionTool,
  OutputFormat,
  ReasoningOptions,
} from "../../canonical/request.ts";
import type { CanonicalInput, Translated } from "../types.ts";
import { CACHE_HINT_DROPPED, toOllamaMessages } from "./messages.ts";
import type { OllamaChatRequest, OllamaOptions, OllamaTool } from "./wire.ts";

/** The dropped-field warning every field without an Ollama equivalent gets. */
const unsupported = (field: string): string => `'${field}' was dropped (Ollama does not support it)`;

function translateTool(tool: FunctionTool, warnings: Set<string>): OllamaTool {
  if (tool.strict) warnings.add("tool 'strict' was dropped (Ollama does not enforce tool schemas)");
  if (tool.cache !== undefined) warnings.add(CACHE_HINT_DROPPED);
  const fn: OllamaTool["function"] = { name: tool.name };
  if (tool.description !== undefined) fn.description = tool.description;
  if (tool.parameters !== undefined) fn.parameters = tool.parameters;
  return { type: "function", function: fn };
}

/**
 * `tools` (docs/api.md, chat parameters). Ollama has no tool_choice: "none" sends no tools, a named tool sends only
 * that one, "required" sends them all; each with a warning. It runs no hosted tools.
 */
function translateTools(request: CanonicalRequest, warnings: Set<string>): OllamaTool[] | undefined {
  for (const hosted of request.hostedTools) {
    warnings.add(`hosted tool '${hosted.name}' was dropped (Ollama runs no hosted tools)`);
  }
  const { tools, toolChoice } = request;
  if (tools.length === 0) {
    if (toolChoice !== undefined && toolChoice.type !== "none")
      warnings.add("tool_choice was dropped: the request has no tools");
    return undefined;
  }
  if (toolChoice?.type === "none") return undefined;
  if (toolChoice?.type === "required") {
    warnings.add(
      "tool_choice 'required' cannot be enforced by Ollama; the model may answer without a tool call",
    );
  }
  if (request.parallelToolCalls === false) {
    warnings.add("parallel_tool_calls=false was dropped (Ollama cannot limit the number of tool calls)");
  }
  if (toolChoice?.type === "tool") {
    warnings.add("a named tool_choice cannot be enforced by Ollama; only that tool was offered");
    return tools.filter((tool) => tool.name === toolChoice.name).map((tool) => translateTool(tool, warnings));
  }
  return tools.map((tool) => translateTool(tool, warnings));
}

/** Modelfile parameters (docs/modelfile.md#valid-parameters-and-values); none is invented when the client gave none. */
function translateOptions(request: CanonicalRequest): OllamaOptions | undefined {
  const options: OllamaOptions = {};
  if (request.temperature !== undefined) options.temperature = request.temperature;
  if (request.topP !== undefined) options.top_p = request.topP;
  if (request.topK !== undefined) options.top_k = Math.trunc(request.topK);
  if (request.stop.length > 0) options.stop = request.stop;
  // Ollama needs no output budget, so none is invented when the client gives none.
  if (request.maxOutputTokens !== undefined) options.num_predict = request.maxOutputTokens;
  if (request.seed !== undefined) options.seed = Math.trunc(request.seed);
  if (request.presencePenalty !== undefined) options.presence_penalty = request.presencePenalty;
  if (request.frequencyPenalty !== undefined) options.frequency_penalty = request.frequencyPenalty;
  return Object.keys(options).length > 0 ? options : undefined;
}

/** `format`: "json" for JSON mode, the schema itself for structured outputs (docs/api.md#chat-request-structured-outputs). */
function translateFormat(output: OutputFormat | undefined): OllamaChatRequest["format"] {
  if (output === undefined || output.type === "text") return undefined;
  if (output.type === "json_schema") return output.schema ?? "json";
  return "json";
}

/**
 * `think` (docs/api.md, chat parameters): false turns thinking off, true on, and models with levels (gpt-oss) take
 * "low" | "medium" | "high". An effort says the most; a budget cannot be set, only thinking turned on.
 */
function translateThink(
  reasoning: ReasoningOptions | undefined,
  warnings: Set<string>,
): OllamaChatRequest["think"] {
  if (reasoning === undefined) return undefined;
  if (reasoning.summary !== undefined) {
    warnings.add("a reasoning summary was dropped (Ollama returns its thinking whole)");
  }
  if (reasoning.includeEncrypted) {
    warnings.add("encrypted reasoning was not asked for (Ollama returns its thinking as text)");
  }
  const effort = reasoning.effort;
  if (effort === "none") return false;
  if (effort === "low" || effort === "medium" || effort === "high") return effort;
  if (effort === "minimal") return "low";
  if (effort !== undefined) {
    warnings.add(`reasoning_effort '${effort}' was dropped (Ollama takes low, medium or high)`);
    return undefined;
  }
  if (reasoning.disabled) return false;
  if (reasoning.budgetTokens !== undefined) {
    warnings.add(
      `a thinking budget of ${reasoning.budgetTokens} tokens was dropped (Ollama turns thinking on without one)`,
    );
    return true;
  }
  return reasoning.adaptive ? true : undefined;
}

/** What the client asked for that Ollama has no field for: each named in a warning, never dropped silently. */
function collectUnsupported(request: CanonicalRequest, warnings: Set<string>): void {
  for (const field of request.unmapped) warnings.add(unsupported(field));
  if (request.user !== undefined) warnings.add(unsupported("user"));
  if (request.metadata !== undefined) warnings.add(unsupported("metadata"));
  if (request.promptCacheKey !== undefined) warnings.add(unsupported("prompt_cache_key"));
  if (request.choices > 1) warnings.add("n > 1 was dropped (Ollama returns one choice)");
}

/** The canonical request -> Ollama's; `prefill` becomes a final assistant message, which Ollama continues. */
export function toOllamaRequest({ request, model, prefill }: CanonicalInput): Translated<OllamaChatRequest> {
  // The dialect's own losses come first, phrased already; a Set keeps a loss met many times to one warning.
  const warnings = new Set<string>(request.notes);
  const messages = toOllamaMessages(request, warnings);
  if (prefill) messages.push({ role: "assistant", content: prefill });

  const native: OllamaChatRequest = { model, messages, stream: request.stream };
  const tools = translateTools(request, warnings);
  if (tools) native.tools = tools;
  const format = translateFormat(request.output);
  if (format !== undefined) native.format = format;
  const options = translateOptions(request);
  if (options) native.options = options;
  const think = translateThink(request.reasoning, warnings);
  if (think !== undefined) native.think = think;
  collectUnsupported(request, warnings);
  return { native, warnings: [...warnings] };
}
