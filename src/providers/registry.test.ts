// Each adapter declares what it translates; routing asks these instead of naming provider types.
import { expect, test } from "bun:test";
import { silentLogger } from "../log/logger.ts";
import { createAdapters } from "./registry.ts";
import { counterIds } from "./testing.ts";

const adapters = createAdapters({ clock: () => 0, newId: counterIds(), logger: silentLogger });

test("prefill continuation: Anthropic and Ollama continue a final assistant message, OpenAI and Gemini do not", () => {
  // Routing continues a cut stream only on targets whose adapter says so (routing/capabilities.ts).
  expect(
    Object.fromEntries(
      Object.entries(adapters).map(([type, adapter]) => [type, adapter.capabilities.prefill]),
    ),
  ).toEqual({
    openai: false,
    anthropic: true,
    google: false,
    ollama: true,
  });
});

test("images, tools and thinking are translated by all four", () => {
  for (const adapter of Object.values(adapters)) {
    expect(adapter.capabilities).toMatchObject({ images: true, tools: true, thinking: true });
  }
});

test("PDF documents: OpenAI (file parts), Anthropic and Gemini read them, Ollama does not", () => {
  // Routing passes a target by for a request with a PDF when its adapter (or its config) says it cannot read one.
  expect(
    Object.fromEntries(
      Object.entries(adapters).map(([type, adapter]) => [type, adapter.capabilities.documents]),
    ),
  ).toEqual({ openai: true, anthropic: true, google: true, ollama: false });
});
