// `aisbf keys add|list|remove`: the key is printed once, only its hash is stored (0600), and it authenticates.
import { afterEach, beforeEach, expect, spyOn, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { keysCommand } from "../src/cli/keys.ts";
import { loadConfig } from "../src/config/load.ts";
import { findClientKey } from "../src/server/middleware/auth.ts";

let dir: string;
let out: string[];
let restore: Array<() => void>;

beforeEach(() => {
  dir = join(mkdtempSync(join(tmpdir(), "aisbf-keys-")), "conf");
  out = [];
  const stdout = spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  const stderr = spyOn(process.stderr, "write").mockImplementation(() => true);
  restore = [() => stdout.mockRestore(), () => stderr.mockRestore()];
});
afterEach(() => {
  for (const undo of restore) undo();
  rmSync(join(dir, ".."), { recursive: true, force: true });
});

test("add prints a key once and stores only its hash; the gateway accepts it", async () => {
  expect(
    await keysCommand(["add", "laptop", "--config-dir", dir, "--allow", "openai", "--rpm", "30"], {}),
  ).toBe(0);
  const key = out.join("").trim();
  expect(key).toMatch(/^aisbf-[A-Za-z0-9_-]{40,}$/);
  const path = join(dir, "aisbf.json");
  const stored = readFileSync(path, "utf8");
  expect(stored).not.toContain(key);
  expect(stored).toContain("sha256:");
  expect(statSync(path).mode & 0o777).toBe(0o600);
  expect(statSync(dir).mode & 0o777).toBe(0o700);
  const config = loadConfig(dir, {});
  const found = findClientKey(config.clientKeys, key);
  expect(found?.name).toBe("laptop");
  expect(found?.allow).toEqual(["openai"]);
  expect(found?.requestsPerMinute).toBe(30);
  expect(findClientKey(config.clientKeys, `${key}x`)).toBeUndefined();
});

test("list shows names, never keys; remove deletes; duplicates are refused", async () => {
  await keysCommand(["add", "a", "--config-dir", dir], {});
  const key = out.join("").trim();
  out.length = 0;
  await expect(keysCommand(["add", "a", "--config-dir", dir], {})).rejects.toThrow("exists already");
  await keysCommand(["list", "--config-dir", dir], {});
  expect(out.join("")).toBe("a\n");
  expect(out.join("")).not.toContain(key);
  await keysCommand(["remove", "a", "--config-dir", dir], {});
  expect(loadConfig(dir, {}).clientKeys).toEqual([]);
});
