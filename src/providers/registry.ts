// The only switch on provider type: each type's adapter, built once with the shared deps.
import type { ProviderType } from "../config/schema.ts";
import { createAnthropicAdapter } from "./anthropic/index.ts";
import { createGoogleAdapter } from "./google/index.ts";
import { createOllamaAdapter } from "./ollama/index.ts";
import { createOpenAIAdapter } from "./openai/index.ts";
import type { AdapterDeps, AdapterFactory, ProviderAdapter } from "./types.ts";

const FACTORIES: Record<ProviderType, AdapterFactory> = {
  openai: createOpenAIAdapter,
  anthropic: createAnthropicAdapter,
  google: createGoogleAdapter,
  ollama: createOllamaAdapter,
};

export function createAdapters(deps: AdapterDeps): Record<ProviderType, ProviderAdapter> {
  return {
    openai: FACTORIES.openai(deps),
    anthropic: FACTORIES.anthropic(deps),
    google: FACTORIES.google(deps),
    ollama: FACTORIES.ollama(deps),
  };
}
