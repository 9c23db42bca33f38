// Which request fields a translator did not send: the one rule every provider's warnings about dropped fields use.
import type { ChatRequest } from "../api/chat.ts";

/** The request fields a provider's request.ts reads (and so warns about itself, where it changes them). */
export type TranslatedFields = ReadonlySet<string>;

/**
 * The fields of `request` that ask for something and that the translator did not read, in request order.
 * Absent, null and false values ask for nothing (`logprobs: false`, `store: false`), so no warning names them.
 */
export function untranslatedFields(request: ChatRequest, translated: TranslatedFields): string[] {
  const fields: string[] = [];
  for (const [field, value] of Object.entries(request)) {
    if (!translated.has(field) && value != null && value !== false) fields.push(field);
  }
  return fields;
}
