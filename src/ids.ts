// Unique ids for responses and tool calls ("chatcmpl-...", "call_...").
export function newId(prefix: string): string {
  return `${prefix}${crypto.randomUUID().replace(/-/g, "").slice(0, 24)}`;
}
