// Whether an OpenAI-type provider serves the Responses API itself (POST {endpoint}/responses): providers.json's
// responses_api, by default true for OpenAI's own API and false for every OpenAI-compatible server (most have only
// Chat Completions). https://platform.openai.com/docs/api-reference/responses
import type { ProviderConfig } from "../../config/schema.ts";

export function speaksResponses(provider: ProviderConfig): boolean {
  if (provider.type !== "openai") return false;
  if (provider.responses_api !== undefined) return provider.responses_api;
  try {
    return new URL(provider.endpoint).hostname === "api.openai.com";
  } catch {
    return false;
  }
}
