// The /api/tags documentation example through the model list translator.
import { expect, test } from "bun:test";
import type { ProviderConfig } from "../../config/schema.ts";
import { fixtureJson } from "../testing.ts";
import { toModelEntries } from "./models.ts";
import { ollamaTagsSchema } from "./wire.ts";

const provider: ProviderConfig = {
  id: "ollama",
  name: "Ollama",
  type: "ollama",
  endpoint: "http://127.0.0.1:11434",
  api_key_required: false,
  models: [{ name: "llama3.2", context_window: 131072 }],
};

test("tags-docs-example.json -> entries with id, owner, created and the configured context window", () => {
  const tags = ollamaTagsSchema.parse(fixtureJson("ollama", "tags-docs-example.json"));
  expect(toModelEntries(tags, provider)).toEqual([
    {
      id: "deepseek-r1:latest",
      owned_by: "ollama",
      created: Math.floor(Date.parse("2025-05-10T15:06:48Z") / 1000),
    },
    {
      id: "llama3.2:latest",
      owned_by: "ollama",
      created: Math.floor(Date.parse("2025-05-05T00:37:44Z") / 1000),
      context_window: 131072,
    },
  ]);
});

test("an empty or odd list gives no entries rather than failing", () => {
  expect(toModelEntries(ollamaTagsSchema.parse({}), provider)).toEqual([]);
  expect(toModelEntries(ollamaTagsSchema.parse({ models: [{ size: 1 }] }), provider)).toEqual([]);
});
