// Pure: our OpenAI ChatRequest -> the body of a generateContent / streamGenerateContent request, with a warning for
// each field changed or dropped. Body: https://ai.google.dev/api/generate-content#request-body ; field mapping
// follows https://ai.google.dev/api/generate-content#generationconfig and
// https://ai.google.dev/gemini-api/docs/function-calling#function_calling_modes
// The @google/genai types name the wire's fields (camelCase JSON, as the REST reference): imported as types only.
import type {
  Content,
  FunctionCallingConfig,
  FunctionDeclaration,
  Tool as GeminiTool,
  GenerationConfig,
  ThinkingConfig,
  ToolConfig,
} from "@google/genai";
import type { ChatRequest, ResponseFormat, Tool, ToolChoice } from "../../api/chat.ts";
import { type TranslatedFields, untranslatedFields } from "../request-fields.ts";
import type { RequestInput, Translated } from "../types.ts";
import { GeminiFunctionCallingMode } from "./enums.ts";
import { toGeminiSchema } from "./json-schema.ts";
import { toGeminiContents } from "./messages.ts";

/** A GenerateContentRequest body; the model goes in the URL. */
export interface GeminiRequest {
  contents: Content[];
  systemInstruction?: Content;
  tools?: GeminiTool[];
  toolConfig?: ToolConfig;
  /** Always sent, empty when nothing was set (as @google/genai sent it before chat went over fetch). */
  generationConfig: GenerationConfig;
}

/** Fields read below; any other field of the request that asks for something is named in a warning. */
const TRANSLATED_FIELDS: TranslatedFields = new Set([
  "model",
  "messages",
  "stream",
  "stream_options",
  "max_tokens",
  "max_completion_tokens",
  "temperature",
  "top_p",
  "n",
  "stop",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "response_format",
  "user",
  "seed",
  "presence_penalty",
  "frequency_penalty",
  "reasoning_effort",
]);

/** Gemini accepts at most 5 stop sequences (GenerationConfig.stopSequences). */
const MAX_STOP_SEQUENCES = 5;

/**
 * reasoning_effort -> thinking budget, the values Google's own OpenAI layer documents (low/medium/high ->
 * 1K/8K/24K, none -> off: https://ai.google.dev/gemini-api/docs/openai#thinking). Thought summaries are only
 * requested when the client asks for reasoning: includeThoughts on a model that cannot think is an error.
 */
const THINKING_BUDGETS: Record<string, number> = { low: 1024, medium: 8192, high: 24576 };

function toolDeclarations(tools: Tool[], warnings: string[]): GeminiTool[] {
  let strict = false;
  const declarations = tools.map((tool): FunctionDeclaration => {
    const declaration: FunctionDeclaration = { name: tool.function.name };
    if (tool.function.description) declaration.description = tool.function.description;
    if (tool.function.strict) strict = true;
    if (tool.function.parameters) {
      const { schema, removed } = toGeminiSchema(tool.function.parameters);
      if (schema) declaration.parameters = schema;
      if (removed.length > 0) {
        warnings.push(
          `Tool '${tool.function.name}': JSON Schema keywords Gemini rejects were removed: ${removed.join(", ")}.`,
        );
      }
    }
    return declaration;
  });
  if (strict) warnings.push("Strict function schemas are not enforced by Gemini; 'strict' was ignored.");
  return [{ functionDeclarations: declarations }];
}

function functionCallingConfig(choice: ToolChoice): FunctionCallingConfig {
  if (choice === "none") return { mode: GeminiFunctionCallingMode.NONE };
  if (choice === "required") return { mode: GeminiFunctionCallingMode.ANY };
  if (choice === "auto") return { mode: GeminiFunctionCallingMode.AUTO };
  return { mode: GeminiFunctionCallingMode.ANY, allowedFunctionNames: [choice.function.name] };
}

/** response_format -> JSON mode (https://ai.google.dev/gemini-api/docs/structured-output). */
function applyResponseFormat(format: ResponseFormat, config: GenerationConfig): void {
  if (format.type === "json_object") config.responseMimeType = "application/json";
  if (format.type === "json_schema" && "json_schema" in format) {
    config.responseMimeType = "application/json";
    // responseJsonSchema takes JSON Schema as is, unlike the OpenAPI-subset responseSchema.
    if (format.json_schema.schema) config.responseJsonSchema = format.json_schema.schema;
  }
}

function applyThinking(effort: unknown, config: GenerationConfig, warnings: string[]): void {
  if (effort === undefined || effort === null) return;
  if (effort === "none") {
    config.thinkingConfig = { thinkingBudget: 0 };
    return;
  }
  const budget = typeof effort === "string" ? THINKING_BUDGETS[effort] : undefined;
  if (budget === undefined) {
    warnings.push(`reasoning_effort '${String(effort)}' has no Gemini equivalent and was dropped.`);
    return;
  }
  const thinking: ThinkingConfig = { includeThoughts: true, thinkingBudget: budget };
  config.thinkingConfig = thinking;
}

function applySampling(request: ChatRequest, config: GenerationConfig, warnings: string[]): void {
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  if (maxTokens != null) config.maxOutputTokens = maxTokens;
  if (request.temperature != null) config.temperature = request.temperature;
  if (request.top_p != null) config.topP = request.top_p;
  if (typeof request.seed === "number") config.seed = request.seed;
  if (typeof request.presence_penalty === "number") config.presencePenalty = request.presence_penalty;
  if (typeof request.frequency_penalty === "number") config.frequencyPenalty = request.frequency_penalty;
  if (request.stop != null) {
    const stops = typeof request.stop === "string" ? [request.stop] : request.stop;
    if (stops.length > MAX_STOP_SEQUENCES) {
      warnings.push(`Gemini takes at most ${MAX_STOP_SEQUENCES} stop sequences; the rest were dropped.`);
    }
    if (stops.length > 0) config.stopSequences = stops.slice(0, MAX_STOP_SEQUENCES);
  }
  if (request.n != null && request.n > 1)
    warnings.push("n > 1 is not supported by the Gemini translation; one choice is returned.");
  if (request.user != null) warnings.push("'user' has no Gemini equivalent and was dropped.");
}

function applyTools(request: ChatRequest, body: GeminiRequest, warnings: string[]): void {
  const tools = request.tools ?? [];
  if (tools.length === 0) {
    if (request.tool_choice != null && request.tool_choice !== "none") {
      warnings.push("tool_choice was dropped: the request has no tools.");
    }
    return;
  }
  body.tools = toolDeclarations(tools, warnings);
  if (request.tool_choice != null)
    body.toolConfig = { functionCallingConfig: functionCallingConfig(request.tool_choice) };
  if (request.parallel_tool_calls === false) {
    warnings.push(
      "parallel_tool_calls=false has no Gemini equivalent; the model may still call several tools.",
    );
  }
}

function unknownFields(request: ChatRequest, warnings: string[]): void {
  const dropped = untranslatedFields(request, TRANSLATED_FIELDS);
  if (dropped.length > 0) warnings.push(`Not supported by Gemini and dropped: ${dropped.join(", ")}.`);
}

export function toGeminiRequest({ request, prefill }: RequestInput): Translated<GeminiRequest> {
  const warnings: string[] = [];
  const { contents, systemParts } = toGeminiContents(request.messages, prefill, warnings);
  const body: GeminiRequest = { contents, generationConfig: {} };
  if (systemParts.length > 0) body.systemInstruction = { parts: systemParts };
  applySampling(request, body.generationConfig, warnings);
  applyTools(request, body, warnings);
  if (request.response_format) applyResponseFormat(request.response_format, body.generationConfig);
  applyThinking(request.reasoning_effort, body.generationConfig, warnings);
  unknownFields(request, warnings);
  return { native: body, warnings };
}
