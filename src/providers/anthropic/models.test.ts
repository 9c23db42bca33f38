// Anthropic model list entries -> ModelEntry.
import { expect, test } from "bun:test";
import { toModelEntries } from "./models.ts";

// No models list was recorded; entries follow ModelInfo in https://docs.anthropic.com/en/api/models-list
test("ids, release dates and context windows", () => {
  const entries = toModelEntries([
    {
      type: "model",
      id: "claude-sonnet-4-5-20250929",
      display_name: "Claude Sonnet 4.5",
      created_at: "2025-09-29T00:00:00Z",
      max_input_tokens: 200000,
    },
    { type: "model", id: "claude-3-opus-20240229", display_name: "Claude Opus 3", created_at: "not a date" },
    { type: "model", display_name: "no id" },
  ]);
  expect(entries).toEqual([
    { id: "claude-sonnet-4-5-20250929", owned_by: "anthropic", created: 1759104000, context_window: 200000 },
    { id: "claude-3-opus-20240229", owned_by: "anthropic" },
  ]);
});
