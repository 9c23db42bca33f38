// Pure: Anthropic's model list entries -> our ModelEntry list. https://docs.anthropic.com/en/api/models-list
import type { ModelEntry } from "../types.ts";
import { anthropicModelSchema } from "./wire.ts";

/** Entries that do not parse are left out rather than failing the whole list. */
export function toModelEntries(items: readonly unknown[]): ModelEntry[] {
  const entries: ModelEntry[] = [];
  for (const item of items) {
    const parsed = anthropicModelSchema.safeParse(item);
    if (!parsed.success) continue;
    const entry: ModelEntry = { id: parsed.data.id, owned_by: "anthropic" };
    const created = parsed.data.created_at ? Date.parse(parsed.data.created_at) : Number.NaN;
    if (Number.isFinite(created)) entry.created = Math.floor(created / 1000);
    if (parsed.data.max_input_tokens != null) entry.context_window = parsed.data.max_input_tokens;
    entries.push(entry);
  }
  return entries;
}
