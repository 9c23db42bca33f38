// Config and flag mistakes end to end, on the compiled binary: usage errors exit 2, config errors 78, each saying
// where the problem is; config check and serve agree on every directory.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildHostBinary, cleanEnv, killAll, run, tempDir } from "./cli-helpers.ts";

/** A command that should fail at once is killed after this; a hang (a server bound to a random port) fails. */
const QUICK_MS = 5000;

let work: string;
let bin: string;
const pids = new Set<number>();

beforeAll(() => {
  work = tempDir("aisbf-cli-config-");
  // The unprivileged runs below must reach the binary and the test directories.
  chmodSync(work, 0o755);
  bin = buildHostBinary(work);
}, 60_000);

afterAll(() => {
  killAll(pids);
  rmSync(work, { recursive: true, force: true });
});

function newHome(name: string): string {
  const home = join(work, name);
  mkdirSync(home, { recursive: true, mode: 0o755 });
  return home;
}

describe("numeric and empty flags are usage errors (exit 2), never a default", () => {
  const env = () => cleanEnv(newHome("flags"));
  test.each([
    [["serve", "--port", ""], "--port: empty"],
    [["serve", "--port=abc"], "--port: not a port number: 'abc'"],
    [["serve", "--port=-1"], "--port: not a port number: '-1'"],
    [["serve", "--port", "65536"], "--port: not a port number: '65536'"],
    [["serve", "--port", "1e3"], "--port: not a port number: '1e3'"],
    [["serve", "--port", "0x50"], "--port: not a port number: '0x50'"],
    [["daemon", "--port", ""], "--port: empty"],
    [["install-service", "--print", "--port", ""], "--port: empty"],
    [["daemon", "--wait", ""], "--wait: empty"],
    [["daemon", "--wait", "0"], "--wait: not a number of seconds: '0'"],
    [["stop", "--timeout", ""], "--timeout: empty"],
    [["stop", "--timeout=-5"], "--timeout: not a number of seconds: '-5'"],
    [["stop", "--timeout", "soon"], "--timeout: not a number of seconds: 'soon'"],
    [["keys", "add", "k", "--rpm", ""], "--rpm: empty"],
    [["keys", "add", "k", "--rpm", "0"], "--rpm: not a whole number of at least 1: '0'"],
    [["keys", "add", "k", "--rpm", "1.5"], "--rpm: not a whole number of at least 1: '1.5'"],
    [["serve", "--config-dir", ""], "--config-dir: empty"],
    [["serve", "--host", ""], "--host: empty"],
    [["status", "--config-dir="], "--config-dir: empty"],
    [["config", "check", "--config-dir", ""], "--config-dir: empty"],
    [["serve", "--shutdown-grace=soon"], "--shutdown-grace: not a number of seconds: 'soon'"],
    [["serve", "--shutdown-grace=-1"], "--shutdown-grace: not a number of seconds: '-1'"],
    [["daemon", "--shutdown-grace", "3e1"], "--shutdown-grace: not a number of seconds: '3e1'"],
    [["serve", "--log-format", "yaml"], "--log-format: 'yaml' is not text or json"],
  ])("%j", (args, message) => {
    const result = run(bin, args, env(), QUICK_MS);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`aisbf: ${message}`);
    expect(result.stderr).toContain("Run 'aisbf --help' for usage.");
  });

  test("an empty or malformed variable is refused the same way, naming it", () => {
    const cases: [string, string, string][] = [
      ["AISBF_PORT", "", "not a port number: ''"],
      ["AISBF_PORT", "http", "not a port number: 'http'"],
      ["AISBF_SHUTDOWN_GRACE", "", "not a number of seconds: ''"],
      ["AISBF_LOG_LEVEL", "loud", "unknown level 'loud'"],
    ];
    for (const [name, value, message] of cases) {
      const result = run(bin, ["serve"], { ...env(), [name]: value }, QUICK_MS);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`aisbf: ${name}: ${message}`);
    }
  });
});

describe("a malformed config file: path, line and column (exit 78)", () => {
  test("config check and serve both point at the mistake", () => {
    const home = newHome("syntax");
    const dir = join(home, "conf");
    mkdirSync(dir);
    writeFileSync(join(dir, "providers.json"), '{\n  "providers": {\n    "x": 1,\n  }\n}\n');
    writeFileSync(join(dir, "rotations.json"), '{"rotations": {}}');
    const at = `${join(dir, "providers.json")}:3:11: not valid JSON: a trailing comma before '}'`;
    for (const args of [
      ["config", "check"],
      ["serve", "--port", "0"],
    ]) {
      const result = run(bin, [...args, "--config-dir", dir], cleanEnv(home), QUICK_MS);
      expect(result.code).toBe(78);
      expect(result.stderr).toContain(`aisbf: ${at}`);
    }
  });

  test("files saved with a UTF-8 byte order mark are accepted by config check and serve", async () => {
    const home = newHome("bom");
    const dir = join(home, "conf");
    mkdirSync(dir);
    const provider = { id: "p", name: "P", endpoint: "http://127.0.0.1:9/v1", type: "openai" };
    writeFileSync(
      join(dir, "providers.json"),
      `\uFEFF${JSON.stringify({ providers: { p: { ...provider, api_key_required: false } } })}`,
    );
    writeFileSync(join(dir, "rotations.json"), '\uFEFF{"rotations": {}}');
    writeFileSync(join(dir, "aisbf.json"), '\uFEFF{"port": 0}');
    const check = run(bin, ["config", "check", "--config-dir", dir], cleanEnv(home), QUICK_MS);
    expect(check.stderr).toBe("");
    expect(check).toMatchObject({ code: 0 });
    expect(check.stdout).toContain("config OK");

    const child = Bun.spawn([bin, "serve", "--config-dir", dir], {
      env: cleanEnv(home),
      cwd: home,
      stderr: "pipe",
    });
    pids.add(child.pid);
    const stderr = (child.stderr as ReadableStream<Uint8Array>).getReader();
    const first = new TextDecoder().decode((await stderr.read()).value);
    expect(first).toContain("listening on http://127.0.0.1:");
    child.kill("SIGTERM");
    expect(await child.exited).toBe(0);
  });
});

/**
 * Runs as a user who cannot write where the test says: root writes anywhere, so as root the binary runs as
 * nobody (setpriv, util-linux). Undefined when neither works here.
 */
function unprivileged(): string[] | undefined {
  if (process.getuid?.() !== 0) return [];
  const setpriv = ["/usr/bin/setpriv", "/bin/setpriv"].find((path) => existsSync(path));
  return setpriv ? [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", "--"] : undefined;
}

describe.skipIf(unprivileged() === undefined)("a config directory that cannot be created or written", () => {
  function runAs(args: string[], home: string) {
    const prefix = unprivileged() ?? [];
    const [program = bin, ...rest] = [...prefix, bin, ...args];
    return run(program, rest, cleanEnv(home), QUICK_MS);
  }

  test("an unwritable parent of a missing config dir: both name the parent and the OS reason, exit 78", () => {
    const home = newHome("unwritable-parent");
    const parent = join(home, "locked");
    mkdirSync(parent);
    chmodSync(parent, 0o555);
    const dir = join(parent, "sub", ".aisbf");
    const message = `aisbf: ${dir}: cannot create the config directory: ${parent} is not writable: permission denied (EACCES)`;
    try {
      for (const args of [
        ["serve", "--port", "0"],
        ["config", "check"],
      ]) {
        const result = runAs([...args, "--config-dir", dir], home);
        expect(result.stderr).toBe(`${message}\n`);
        expect(result.code).toBe(78);
      }
    } finally {
      chmodSync(parent, 0o755);
    }
  });

  test("an empty directory that cannot be written: config check fails as serve does", () => {
    const home = newHome("unwritable-empty");
    const dir = join(home, "conf");
    mkdirSync(dir);
    chmodSync(dir, 0o555);
    const message = `aisbf: ${dir}: cannot write the default config (providers.json, rotations.json): permission denied (EACCES)`;
    try {
      for (const args of [
        ["serve", "--port", "0"],
        ["config", "check"],
      ]) {
        const result = runAs([...args, "--config-dir", dir], home);
        expect(result.stderr).toBe(`${message}\n`);
        expect(result.code).toBe(78);
      }
    } finally {
      chmodSync(dir, 0o755);
    }
  });

  test("a regular file where a parent directory should be", () => {
    const home = newHome("file-parent");
    writeFileSync(join(home, "plain"), "");
    const dir = join(home, "plain", "conf");
    for (const args of [
      ["serve", "--port", "0"],
      ["config", "check"],
    ]) {
      const result = runAs([...args, "--config-dir", dir], home);
      expect(result.stderr).toBe(
        `aisbf: ${dir}: cannot create the config directory: ${join(home, "plain")} is not a directory\n`,
      );
      expect(result.code).toBe(78);
    }
  });
});
