// Pure: Gemini's model list (SDK `Model`s or wire JSON) -> ModelEntry[] of the models that can chat.
// https://ai.google.dev/api/models#Model
import type { ModelEntry } from "../types.ts";
import { geminiModelSchema } from "./wire.ts";

/** Ids without the "models/" prefix, as requests name them; embedding-only and other non-chat models are left out. */
export function toModelEntries(models: unknown[]): ModelEntry[] {
  const entries: ModelEntry[] = [];
  for (const raw of models) {
    const parsed = geminiModelSchema.safeParse(raw);
    if (!parsed.success) continue;
    const model = parsed.data;
    const methods = model.supportedActions ?? model.supportedGenerationMethods;
    if (methods && !methods.includes("generateContent")) continue;
    const entry: ModelEntry = { id: model.name.replace(/^models\//, ""), owned_by: "google" };
    if (model.inputTokenLimit) entry.context_window = model.inputTokenLimit;
    entries.push(entry);
  }
  return entries;
}
