// Pure translation of Ollama's GET /api/tags model list into ModelEntry[].
// Response fields: https://github.com/ollama/ollama/blob/main/docs/api.md#list-local-models
import type { ProviderConfig } from "../../config/schema.ts";
import type { ModelEntry } from "../types.ts";
import type { OllamaTags } from "./wire.ts";

function seconds(timestamp: string | null | undefined): number | undefined {
  if (!timestamp) return undefined;
  const ms = Date.parse(timestamp);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : undefined;
}

/** Tags -> entries; the context window comes from the config, since /api/tags does not report one. */
export function toModelEntries(tags: OllamaTags, provider: ProviderConfig): ModelEntry[] {
  const windows = new Map((provider.models ?? []).map((model) => [model.name, model.context_window]));
  const entries: ModelEntry[] = [];
  for (const model of tags.models ?? []) {
    const id = model.name || model.model;
    if (!id) continue;
    const entry: ModelEntry = { id, owned_by: provider.id };
    const created = seconds(model.modified_at);
    if (created !== undefined) entry.created = created;
    // "llama3.2" in a config means "llama3.2:latest" to Ollama.
    const window = windows.get(id) ?? (id.endsWith(":latest") ? windows.get(id.slice(0, -7)) : undefined);
    if (window !== undefined) entry.context_window = window;
    entries.push(entry);
  }
  return entries;
}
