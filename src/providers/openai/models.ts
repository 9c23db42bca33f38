// OpenAI /models list -> ModelEntry[]. https://platform.openai.com/docs/api-reference/models/list
import type { ModelEntry } from "../types.ts";

interface OpenAIModel {
  id: string;
  owned_by?: string | null;
  created?: number | null;
}

export function toModelEntries(models: readonly OpenAIModel[], providerId: string): ModelEntry[] {
  return models.map((model) => ({
    id: model.id,
    owned_by: model.owned_by ?? providerId,
    ...(typeof model.created === "number" ? { created: model.created } : {}),
  }));
}
