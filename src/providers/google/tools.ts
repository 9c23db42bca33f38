// Pure: canonical tools and tool choice -> Gemini functionDeclarations and toolConfig, with a warning for each
// thing Gemini cannot take. https://ai.google.dev/api/caching#Tool ;
// modes: https://ai.google.dev/gemini-api/docs/function-calling#function_calling_modes
import type {
  FunctionCallingConfig,
  FunctionDeclaration,
  Tool as GeminiTool,
  ToolConfig,
} from "@google/genai";
import type { CanonicalRequest, FunctionTool, ToolChoice } from "../../canonical/request.ts";
import { GeminiFunctionCallingMode } from "./enums.ts";
import { toGeminiSchema } from "./json-schema.ts";

export interface TranslatedTools {
  tools?: GeminiTool[];
  toolConfig?: ToolConfig;
  /** Some tool asked for a prompt-cache breakpoint. */
  cacheHinted: boolean;
}

function declarations(tools: FunctionTool[], warnings: string[]): FunctionDeclaration[] {
  let strict = false;
  const out = tools.map((tool): FunctionDeclaration => {
    const declaration: FunctionDeclaration = { name: tool.name };
    if (tool.description) declaration.description = tool.description;
    if (tool.strict) strict = true;
    if (tool.parameters) {
      const { schema, removed } = toGeminiSchema(tool.parameters);
      if (schema) declaration.parameters = schema;
      if (removed.length > 0) {
        warnings.push(
          `Tool '${tool.name}': JSON Schema keywords Gemini rejects were removed: ${removed.join(", ")}.`,
        );
      }
    }
    return declaration;
  });
  if (strict) warnings.push("Strict function schemas are not enforced by Gemini; 'strict' was ignored.");
  return out;
}

function functionCallingConfig(choice: ToolChoice): FunctionCallingConfig {
  switch (choice.type) {
    case "none":
      return { mode: GeminiFunctionCallingMode.NONE };
    case "required":
      return { mode: GeminiFunctionCallingMode.ANY };
    case "auto":
      return { mode: GeminiFunctionCallingMode.AUTO };
    case "tool":
      return { mode: GeminiFunctionCallingMode.ANY, allowedFunctionNames: [choice.name] };
  }
}

export function toGeminiTools(request: CanonicalRequest, warnings: string[]): TranslatedTools {
  // Gemini's own tools (googleSearch, codeExecution) are configured unlike any dialect's hosted tools, and their
  // results come back as grounding metadata rather than tool blocks: not translated.
  for (const hosted of request.hostedTools) {
    warnings.push(`Hosted tool '${hosted.name}' is not supported by the Gemini translation and was dropped.`);
  }
  const { tools, toolChoice } = request;
  const cacheHinted = tools.some((tool) => tool.cache !== undefined);
  if (tools.length === 0) {
    if (toolChoice && toolChoice.type !== "none") {
      warnings.push("tool_choice was dropped: the request has no tools.");
    }
    return { cacheHinted };
  }
  const out: TranslatedTools = {
    tools: [{ functionDeclarations: declarations(tools, warnings) }],
    cacheHinted,
  };
  if (toolChoice) out.toolConfig = { functionCallingConfig: functionCallingConfig(toolChoice) };
  if (request.parallelToolCalls === false) {
    warnings.push(
      "parallel_tool_calls=false has no Gemini equivalent; the model may still call several tools.",
    );
  }
  return out;
}
