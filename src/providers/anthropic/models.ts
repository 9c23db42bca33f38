// Pure: Anthropic's model list entries -> our ModelEntry list. https://docs.anthropic.com/en/api/models-list
import { z } from "zod";
import type { ModelEntry } from "../types.ts";

/** ModelInfo: { type: "model", id, display_name, created_at (RFC 3339), max_input_tokens? ... } */
const modelInfoSchema = z.looseObject({
  id: z.string().min(1),
  created_at: z.string().nullish(),
  max_input_tokens: z.number().int().positive().nullish(),
});

/** Entries that do not parse are left out rather than failing the whole list. */
export function toModelEntries(items: readonly unknown[]): ModelEntry[] {
  const entries: ModelEntry[] = [];
  for (const item of items) {
    const parsed = modelInfoSchema.safeParse(item);
    if (!parsed.success) continue;
    const entry: ModelEntry = { id: parsed.data.id, owned_by: "anthropic" };
    const created = parsed.data.created_at ? Date.parse(parsed.data.created_at) : Number.NaN;
    if (Number.isFinite(created)) entry.created = Math.floor(created / 1000);
    if (parsed.data.max_input_tokens != null) entry.context_window = parsed.data.max_input_tokens;
    entries.push(entry);
  }
  return entries;
}
