// Pure: the canonical request -> the body of a generateContent / streamGenerateContent request, with a warning for
// each field changed or dropped. Body: https://ai.google.dev/api/generate-content#request-body ; field mapping
// follows https://ai.google.dev/api/generate-content#generationconfig
// The @google/genai types name the wire's fields (camelCase JSON, as the REST reference): imported as types only.
import type {
  Content,
  Tool as GeminiTool,
  GenerationConfig,
  ThinkingConfig,
  ToolConfig,
} from "@google/genai";
import type { CanonicalRequest, OutputFormat, ReasoningOptions } from "../../canonical/request.ts";
import type { CanonicalInput, Translated } from "../types.ts";
import { toGeminiContents } from "./messages.ts";
import { toGeminiTools } from "./tools.ts";

/** A GenerateContentRequest body; the model goes in the URL. */
export interface GeminiRequest {
  contents: Content[];
  systemInstruction?: Content;
  tools?: GeminiTool[];
  toolConfig?: ToolConfig;
  /** Always sent, empty when nothing was set (as @google/genai sent it before chat went over fetch). */
  generationConfig: GenerationConfig;
}

/** Gemini accepts at most 5 stop sequences (GenerationConfig.stopSequences). */
const MAX_STOP_SEQUENCES = 5;

/**
 * Reasoning effort -> thinking budget, the values Google's own OpenAI layer documents (low/medium/high ->
 * 1K/8K/24K, none -> off: https://ai.google.dev/gemini-api/docs/openai#thinking). Thought summaries are only
 * requested when the client asks for reasoning: includeThoughts on a model that cannot think is an error.
 */
const THINKING_BUDGETS: Record<string, number> = { low: 1024, medium: 8192, high: 24576 };

/** thinkingBudget -1: the model decides how much to think (https://ai.google.dev/gemini-api/docs/thinking#set-budget). */
const DYNAMIC_BUDGET = -1;

/** output -> JSON mode (https://ai.google.dev/gemini-api/docs/structured-output). */
function applyOutput(output: OutputFormat, config: GenerationConfig): void {
  if (output.type === "json_object") config.responseMimeType = "application/json";
  if (output.type === "json_schema") {
    config.responseMimeType = "application/json";
    // responseJsonSchema takes JSON Schema as is, unlike the OpenAPI-subset responseSchema.
    if (output.schema) config.responseJsonSchema = output.schema;
  }
}

/**
 * Reasoning -> thinkingConfig (https://ai.google.dev/api/generate-content#ThinkingConfig): off, an explicit
 * budget, the model's own choice (adaptive), or a budget for the effort asked. The summary and encrypted-reasoning
 * options need nothing more: thought summaries come with includeThoughts, and signatures always come back.
 */
function applyThinking(reasoning: ReasoningOptions, config: GenerationConfig, warnings: string[]): void {
  if (reasoning.disabled || reasoning.effort === "none") {
    config.thinkingConfig = { thinkingBudget: 0 };
    return;
  }
  let budget: number | undefined;
  if (reasoning.budgetTokens !== undefined) budget = reasoning.budgetTokens;
  else if (reasoning.adaptive) budget = DYNAMIC_BUDGET;
  else if (reasoning.effort !== undefined) {
    budget = THINKING_BUDGETS[reasoning.effort];
    if (budget === undefined) {
      warnings.push(`reasoning_effort '${reasoning.effort}' has no Gemini equivalent and was dropped.`);
    }
  }
  if (budget === undefined) return;
  const thinking: ThinkingConfig = { includeThoughts: true, thinkingBudget: budget };
  config.thinkingConfig = thinking;
}

function applySampling(request: CanonicalRequest, config: GenerationConfig, warnings: string[]): void {
  if (request.maxOutputTokens !== undefined) config.maxOutputTokens = request.maxOutputTokens;
  if (request.temperature !== undefined) config.temperature = request.temperature;
  if (request.topP !== undefined) config.topP = request.topP;
  if (request.topK !== undefined) config.topK = request.topK;
  if (request.seed !== undefined) config.seed = request.seed;
  if (request.presencePenalty !== undefined) config.presencePenalty = request.presencePenalty;
  if (request.frequencyPenalty !== undefined) config.frequencyPenalty = request.frequencyPenalty;
  const stops = request.stop;
  if (stops.length > MAX_STOP_SEQUENCES) {
    warnings.push(`Gemini takes at most ${MAX_STOP_SEQUENCES} stop sequences; the rest were dropped.`);
  }
  if (stops.length > 0) config.stopSequences = stops.slice(0, MAX_STOP_SEQUENCES);
}

/** Canonical fields Gemini has no place for: each named in a warning. */
function unsupported(request: CanonicalRequest, cacheHinted: boolean, warnings: string[]): void {
  if (request.choices > 1)
    warnings.push("n > 1 is not supported by the Gemini translation; one choice is returned.");
  if (request.user !== undefined) warnings.push("'user' has no Gemini equivalent and was dropped.");
  if (request.metadata && Object.keys(request.metadata).length > 0) {
    warnings.push("'metadata' has no Gemini equivalent and was dropped.");
  }
  if (request.promptCacheKey !== undefined) {
    warnings.push("A prompt cache key has no Gemini equivalent and was dropped.");
  }
  // Gemini caches repeated prefixes by itself (implicit caching, https://ai.google.dev/gemini-api/docs/caching);
  // it takes no per-block breakpoints.
  if (cacheHinted) warnings.push("Prompt cache hints have no Gemini equivalent and were dropped.");
  if (request.unmapped.length > 0) {
    warnings.push(`Not supported by Gemini and dropped: ${request.unmapped.join(", ")}.`);
  }
}

export function toGeminiRequest({ request, prefill }: CanonicalInput): Translated<GeminiRequest> {
  // What the client's dialect could not carry comes first, already phrased.
  const warnings: string[] = [...request.notes];
  const { contents, systemParts, cacheHinted } = toGeminiContents(
    request.system,
    request.messages,
    prefill,
    warnings,
  );
  const body: GeminiRequest = { contents, generationConfig: {} };
  if (systemParts.length > 0) body.systemInstruction = { parts: systemParts };
  applySampling(request, body.generationConfig, warnings);
  const tools = toGeminiTools(request, warnings);
  if (tools.tools) body.tools = tools.tools;
  if (tools.toolConfig) body.toolConfig = tools.toolConfig;
  if (request.output) applyOutput(request.output, body.generationConfig);
  if (request.reasoning) applyThinking(request.reasoning, body.generationConfig, warnings);
  unsupported(request, cacheHinted || tools.cacheHinted, warnings);
  return { native: body, warnings };
}
