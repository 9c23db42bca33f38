// Config loading: first-run copy, no overwrite, ${ENV} filling, and every validation error path.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, ensureConfigDir, loadConfig } from "./load.ts";
import { resolveConfigDir } from "./paths.ts";

let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "aisbf-config-"));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function writeConfig(dir: string, providers: unknown, rotations: unknown = { rotations: {} }): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "providers.json"),
    typeof providers === "string" ? providers : JSON.stringify(providers),
  );
  writeFileSync(
    join(dir, "rotations.json"),
    typeof rotations === "string" ? rotations : JSON.stringify(rotations),
  );
}

const openai = {
  id: "openai",
  name: "OpenAI",
  endpoint: "https://api.openai.com/v1",
  type: "openai",
  api_key_required: true,
  api_key: "${TEST_OPENAI_KEY}",
};

function loadError(dir: string, env: Record<string, string> = {}): string {
  try {
    loadConfig(dir, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("config directory", () => {
  test("--config-dir wins, then AISBF_CONFIG_DIR, then ~/.aisbf", () => {
    expect(resolveConfigDir("/a", { AISBF_CONFIG_DIR: "/b" }, "/home/u")).toEqual({
      dir: "/a",
      source: "flag",
    });
    expect(resolveConfigDir(undefined, { AISBF_CONFIG_DIR: "/b" }, "/home/u")).toEqual({
      dir: "/b",
      source: "env",
    });
    expect(resolveConfigDir(undefined, {}, "/home/u")).toEqual({ dir: "/home/u/.aisbf", source: "home" });
  });

  test("first run creates the directory 0700 and copies the defaults 0600, and they load", () => {
    const dir = join(root, ".aisbf");
    const created = ensureConfigDir(dir);
    expect(created.map((path) => path.slice(dir.length + 1)).sort()).toEqual([
      "providers.json",
      "rotations.json",
    ]);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const path of created) expect(statSync(path).mode & 0o777).toBe(0o600);
    const config = loadConfig(dir, {});
    expect(Object.keys(config.providers).sort()).toEqual(["anthropic", "google", "ollama", "openai"]);
    expect(config.providers.ollama?.endpoint).toBe("http://127.0.0.1:11434");
    expect(config.rotations.default).toBeDefined();
    // Keys come from the conventional variables; unset, they are warnings, not a crash.
    expect(config.providers.openai?.api_key).toBeUndefined();
    expect(config.warnings.some((warning) => warning.includes("OPENAI_API_KEY"))).toBe(true);
  });

  test("existing user files are never overwritten", () => {
    const dir = join(root, "mine");
    writeConfig(dir, { providers: {} });
    const before = readFileSync(join(dir, "providers.json"), "utf8");
    expect(ensureConfigDir(dir)).toEqual([]);
    expect(readFileSync(join(dir, "providers.json"), "utf8")).toBe(before);
  });
});

describe("env interpolation", () => {
  test("fills ${VAR} from the environment and remembers the variable's name", () => {
    writeConfig(root, { providers: { openai } });
    const config = loadConfig(root, { TEST_OPENAI_KEY: "sk-from-env" });
    expect(config.providers.openai?.api_key).toBe("sk-from-env");
    expect(config.providers.openai?.api_key_env).toBe("TEST_OPENAI_KEY");
    expect(config.warnings).toEqual([]);
  });

  test("an unset variable leaves no key and a warning naming provider and variable", () => {
    writeConfig(root, { providers: { openai } });
    const config = loadConfig(root, {});
    expect(config.providers.openai?.api_key).toBeUndefined();
    expect(config.warnings).toHaveLength(1);
    expect(config.warnings[0]).toContain("openai");
    expect(config.warnings[0]).toContain("TEST_OPENAI_KEY");
  });

  test("a header referencing an unset variable stops start-up", () => {
    writeConfig(root, { providers: { openai: { ...openai, headers: { "X-Tenant": "${TENANT}" } } } });
    expect(loadError(root)).toContain("providers.openai.headers.X-Tenant: TENANT is not set");
  });
});

describe("validation errors name the file, the path and the problem", () => {
  test("unknown field", () => {
    writeConfig(root, { providers: { openai: { ...openai, api_kee: "x" } } });
    const message = loadError(root);
    expect(message).toContain(join(root, "providers.json"));
    expect(message).toContain("providers.openai");
    expect(message).toContain("api_kee");
  });

  test("wrong type", () => {
    writeConfig(root, { providers: { openai: { ...openai, api_key_required: "yes" } } });
    expect(loadError(root)).toContain("providers.openai.api_key_required");
  });

  test("unknown provider type", () => {
    writeConfig(root, { providers: { openai: { ...openai, type: "azure" } } });
    expect(loadError(root)).toContain("providers.openai.type");
  });

  test("a timeout beyond what a timer can wait", () => {
    writeConfig(root, { providers: { openai: { ...openai, timeouts: { idle_ms: 3_000_000_000 } } } });
    expect(loadError(root)).toContain("providers.openai.timeouts.idle_ms");
  });

  test("bad endpoint", () => {
    writeConfig(root, { providers: { openai: { ...openai, endpoint: "ftp://x" } } });
    expect(loadError(root)).toContain("providers.openai.endpoint");
  });

  test("id that differs from its key", () => {
    writeConfig(root, { providers: { openai: { ...openai, id: "other" } } });
    expect(loadError(root)).toContain('providers.openai.id: must equal its key "openai"');
  });

  test("id with a slash", () => {
    writeConfig(root, { providers: { "a/b": { ...openai, id: "a/b" } } });
    expect(loadError(root)).toContain("providers");
  });

  test("invalid JSON names the file", () => {
    writeConfig(root, "{ not json");
    const message = loadError(root);
    expect(message).toContain("providers.json");
    expect(message).toContain("not valid JSON");
  });

  test("missing file", () => {
    expect(loadError(join(root, "none"))).toContain("cannot read");
  });

  // [case, rotations.json text, "line:column", words of the problem]
  test.each([
    ["trailing comma", '{\n  "rotations": {},\n}\n', "2:18", "trailing comma before '}'"],
    ["missing comma", '{\n  "rotations": {}\n  "x": 1\n}\n', "3:3", "missing ','"],
    ["unclosed brace", '{\n  "rotations": {\n', "3:1", "'{' opened at line 2, column 16 is closed"],
    ["bad token", '{"rotations": nul}', "1:15", "'nul' is not a JSON value"],
    ["truncated file", '{"rotations": {"default": {"provid', "1:35", "the file ends inside the string"],
    ["single quotes", "{'rotations': {}}", "1:2", "single quote"],
    ["comment", '{\n  /* none yet */\n  "rotations": {}\n}', "2:3", "comment"],
  ])("a syntax error gives line and column: %s", (_name, text, at, words) => {
    writeConfig(root, { providers: {} }, text);
    const message = loadError(root);
    expect(message).toStartWith(`${join(root, "rotations.json")}:${at}: not valid JSON: `);
    expect(message).toContain(words);
  });

  test("a file saved with a UTF-8 byte order mark loads", () => {
    writeConfig(root, `\uFEFF${JSON.stringify({ providers: { openai } })}`, '\uFEFF{"rotations": {}}');
    writeFileSync(join(root, "aisbf.json"), '\uFEFF{"port": 8080}');
    const config = loadConfig(root, {});
    expect(Object.keys(config.providers)).toEqual(["openai"]);
    expect(config.server.port).toBe(8080);
  });

  test("a rotation naming an unknown provider", () => {
    writeConfig(
      root,
      { providers: { openai } },
      { rotations: { r: { providers: [{ provider_id: "nope", models: [{ name: "m", weight: 1 }] }] } } },
    );
    const message = loadError(root);
    expect(message).toContain("rotations.json");
    expect(message).toContain("rotations.r.providers[0].provider_id: unknown provider 'nope'");
  });

  test("a target listed twice in a rotation", () => {
    const member = { provider_id: "openai", models: [{ name: "m", weight: 1 }] };
    writeConfig(root, { providers: { openai } }, { rotations: { r: { providers: [member, member] } } });
    const message = loadError(root);
    expect(message).toContain("rotations.json");
    expect(message).toContain(
      "rotations.r.providers[1].models[0].name: openai/m is listed twice in this rotation",
    );
  });

  test("a rotation with no models, a negative weight, a bad strategy", () => {
    writeConfig(
      root,
      { providers: { openai } },
      { rotations: { r: { providers: [{ provider_id: "openai", models: [] }] } } },
    );
    expect(loadError(root)).toContain("rotations.r.providers[0].models");
    writeConfig(
      root,
      { providers: { openai } },
      { rotations: { r: { providers: [{ provider_id: "openai", models: [{ name: "m", weight: -1 }] }] } } },
    );
    expect(loadError(root)).toContain("rotations.r.providers[0].models[0].weight");
    writeConfig(
      root,
      { providers: { openai } },
      {
        rotations: {
          r: { strategy: "random", providers: [{ provider_id: "openai", models: [{ name: "m" }] }] },
        },
      },
    );
    expect(loadError(root)).toContain("rotations.r.strategy");
  });

  test("a rotation named like a provider", () => {
    writeConfig(
      root,
      { providers: { openai } },
      {
        rotations: { openai: { providers: [{ provider_id: "openai", models: [{ name: "m", weight: 1 }] }] } },
      },
    );
    expect(loadError(root)).toContain("rotations.openai: a provider has the same id");
  });

  test("aisbf.json is optional and strict", () => {
    writeConfig(root, { providers: { openai } });
    expect(loadConfig(root, {}).server).toEqual({});
    writeFileSync(join(root, "aisbf.json"), JSON.stringify({ port: 99999 }));
    expect(loadError(root)).toContain("aisbf.json");
  });
});

describe("model_aliases", () => {
  test("are loaded, and each must name a rotation or a configured provider's model", () => {
    const dir = join(root, "aliases");
    const rotations = {
      rotations: { coding: { providers: [{ provider_id: "openai", models: [{ name: "gpt-5" }] }] } },
      model_aliases: { "claude-opus-*": "coding", "claude-haiku-4-5": "openai/gpt-5-mini" },
    };
    writeConfig(dir, { providers: { openai } }, rotations);
    expect(loadConfig(dir, { TEST_OPENAI_KEY: "k" }).modelAliases).toEqual(rotations.model_aliases);
    writeConfig(dir, { providers: { openai } }, { ...rotations, model_aliases: { "claude-*": "nowhere/x" } });
    expect(loadError(dir, { TEST_OPENAI_KEY: "k" })).toContain(
      `model_aliases.claude-*: 'nowhere/x' is neither a rotation nor "<provider>/<model>"`,
    );
    writeConfig(dir, { providers: { openai } }, { ...rotations, model_aliases: { "a*b*": "coding" } });
    expect(loadError(dir, { TEST_OPENAI_KEY: "k" })).toContain("model_aliases");
  });
});
