// The recorded /v1beta/models page -> ModelEntry[]: prefix stripped, non-chat models left out.
import { expect, test } from "bun:test";
import { fixtureJson } from "../testing.ts";
import { toModelEntries } from "./models.ts";

const page = fixtureJson("google", "models-list.json") as {
  models: Array<{ name: string; supportedGenerationMethods?: string[] }>;
};

test("models-list.json: chat models with ids and context windows", () => {
  const entries = toModelEntries(page.models);
  const chatModels = page.models.filter((model) =>
    model.supportedGenerationMethods?.includes("generateContent"),
  );
  expect(entries).toHaveLength(chatModels.length);
  expect(entries.length).toBeLessThan(page.models.length);
  expect(entries[0]).toEqual({ id: "gemini-2.5-flash", owned_by: "google", context_window: 1_048_576 });
  expect(entries.find((entry) => entry.id === "gemini-2.0-flash")).toEqual({
    id: "gemini-2.0-flash",
    owned_by: "google",
    context_window: 1_048_576,
  });
  for (const entry of entries) expect(entry.id.startsWith("models/")).toBe(false);
});

test("the SDK's renamed supportedActions field is read too", () => {
  expect(
    toModelEntries([
      { name: "models/text-embedding-004", supportedActions: ["embedContent"] },
      { name: "models/gemini-x", supportedActions: ["generateContent"], inputTokenLimit: 10 },
      { displayName: "no name" },
    ]),
  ).toEqual([{ id: "gemini-x", owned_by: "google", context_window: 10 }]);
});
