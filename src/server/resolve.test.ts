// Model names that reach upstream URLs: what is accepted and what is refused.
import { expect, test } from "bun:test";
import { checkModelName } from "./resolve.ts";

const accepts = (name: string) => {
  try {
    checkModelName(name);
    return true;
  } catch {
    return false;
  }
};

test("names, path segments and the characters a model may use", () => {
  for (const name of [
    "gpt-4.1-mini",
    "models/gemini-2.5-pro",
    "a..b",
    "a/...",
    "a/..b/c",
    "A:b@c+d",
    "a/./b",
  ]) {
    expect([name, accepts(name)]).toEqual([name, true]);
  }
  for (const name of ["", "a//b", "a/", "a/../b", "a/..", "..", "/a", ".a", "a/%2e", "a b", "a?b", "a#b"]) {
    expect([name, accepts(name)]).toEqual([name, false]);
  }
});

import type { LoadedConfig } from "../config/load.ts";
import type { ProviderConfig } from "../config/schema.ts";
import { aliasTarget, resolveModelRoute, resolvePathRoute } from "./resolve.ts";

function configWith(aliases: Record<string, string>): LoadedConfig {
  const provider = (id: string, models: string[]): ProviderConfig =>
    ({
      id,
      name: id,
      type: "openai",
      endpoint: "http://127.0.0.1:1",
      models: models.map((name) => ({ name })),
    }) as ProviderConfig;
  return {
    dir: "/tmp",
    providers: { openai: provider("openai", ["gpt-5", "gpt-5-mini"]), bare: provider("bare", []) },
    rotations: {
      coding: { providers: [{ provider_id: "openai", models: [{ name: "gpt-5", weight: 1 }] }] },
    },
    modelAliases: aliases,
    server: {},
    clientKeys: [],
    warnings: [],
  };
}

const target = (route: ReturnType<typeof resolveModelRoute>) =>
  route.isRotation ? route.name : `${route.candidates[0]?.providerId}/${route.candidates[0]?.model}`;

test("model_aliases: exact names, then the longest prefix*, and exact routes win over aliases", () => {
  const config = configWith({
    "claude-*": "openai/gpt-5-mini",
    "claude-opus-*": "coding",
    "claude-haiku-4-5-20251001": "openai/gpt-5",
    coding: "openai/gpt-5-mini",
  });
  expect(aliasTarget(config, "claude-haiku-4-5-20251001")).toBe("openai/gpt-5");
  expect(aliasTarget(config, "claude-opus-4-8")).toBe("coding");
  expect(aliasTarget(config, "claude-sonnet-4-6")).toBe("openai/gpt-5-mini");
  expect(aliasTarget(config, "gpt-4")).toBeUndefined();
  expect(target(resolveModelRoute(config, "claude-opus-4-8"))).toBe("coding");
  expect(target(resolveModelRoute(config, "claude-haiku-4-5-20251001"))).toBe("openai/gpt-5");
  // A rotation's own name is never taken for an alias of the same name.
  expect(target(resolveModelRoute(config, "coding"))).toBe("coding");
  expect(target(resolveModelRoute(config, "openai/gpt-5"))).toBe("openai/gpt-5");
  expect(() => resolveModelRoute(config, "llama")).toThrow(/model aliases: claude-\*/);
});

test("a provider path substitutes a model it does not list, and says so", () => {
  const config = configWith({ "claude-haiku-*": "openai/gpt-5-mini", "claude-opus-*": "coding" });
  const listed = resolvePathRoute(config, "openai", "gpt-5", { substitute: true });
  expect([target(listed), listed.warnings]).toEqual(["openai/gpt-5", undefined]);
  const aliased = resolvePathRoute(config, "openai", "claude-haiku-4-5", { substitute: true });
  expect(target(aliased)).toBe("openai/gpt-5-mini");
  expect(aliased.warnings?.[0]).toContain("model_aliases maps it to 'gpt-5-mini'");
  // An alias to elsewhere does not leave the provider the path names: its first model serves.
  const first = resolvePathRoute(config, "openai", "claude-opus-4-8", { substitute: true });
  expect(target(first)).toBe("openai/gpt-5");
  expect(first.warnings?.[0]).toContain("using its first model, 'gpt-5'");
  // Without substitution (the chat path) or without a model list, the name goes as sent.
  expect(target(resolvePathRoute(config, "openai", "claude-opus-4-8"))).toBe("openai/claude-opus-4-8");
  expect(target(resolvePathRoute(config, "bare", "x", { substitute: true }))).toBe("bare/x");
  expect(resolvePathRoute(config, "coding", "anything", { substitute: true }).name).toBe("coding");
});
