// The first run as serve does it and as config check previews it: the same directories fail, with path and reason.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "./config-error.ts";
import { prepareConfig } from "./load.ts";

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "aisbf-first-run-"));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function failure(dir: string, write: boolean): string {
  try {
    prepareConfig(dir, {}, { write });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`expected a ConfigError (write: ${write})`);
}

describe("prepareConfig", () => {
  test("a dry run writes nothing and loads the defaults the first run would write", () => {
    const dir = join(root, "new", ".aisbf");
    const dry = prepareConfig(dir, {}, { write: false });
    expect(existsSync(join(root, "new"))).toBe(false);
    expect(dry.firstRun).toEqual([join(dir, "providers.json"), join(dir, "rotations.json")]);
    const written = prepareConfig(dir, {}, { write: true });
    expect(written.firstRun).toEqual(dry.firstRun);
    expect(written.config.providers).toEqual(dry.config.providers);
    expect(written.config.rotations).toEqual(dry.config.rotations);
  });

  test("with one default file missing, both fill in only that one", () => {
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, "rotations.json"), '{"rotations": {}}');
    const dry = prepareConfig(root, {}, { write: false });
    expect(dry.firstRun).toEqual([join(root, "providers.json")]);
    expect(dry.config.rotations).toEqual({});
    expect(prepareConfig(root, {}, { write: true }).firstRun).toEqual(dry.firstRun);
  });

  test("a missing directory under a file: both fail naming the directory and the parent", () => {
    writeFileSync(join(root, "file"), "");
    const dir = join(root, "file", "conf");
    const message = `${dir}: cannot create the config directory: ${join(root, "file")} is not a directory`;
    expect(failure(dir, false)).toBe(message);
    expect(failure(dir, true)).toBe(message);
  });

  test("a config dir that is a file: both fail alike", () => {
    writeFileSync(join(root, "conf"), "");
    expect(failure(join(root, "conf"), false)).toContain("is not a directory");
    expect(failure(join(root, "conf"), true)).toBe(failure(join(root, "conf"), false));
  });
});
