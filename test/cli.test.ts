// The aisbf command end to end: the real compiled binary for this machine, run in a temporary HOME.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  buildHostBinary,
  cleanEnv,
  freePort,
  isRunning,
  killAll,
  run,
  runAsync,
  startedPid,
  TEST_VERSION,
  tempDir,
  waitFor,
} from "./cli-helpers.ts";
import { fixture, type MockUpstream, sseEventsOf, sseResponse, startMock } from "./helpers/mock-upstream.ts";

const SECRET = "sk-clitest-0123456789abcdefSECRET";

let work: string;
let bin: string;
const pids = new Set<number>();
const mocks: MockUpstream[] = [];

beforeAll(() => {
  work = tempDir("aisbf-cli-");
  bin = buildHostBinary(work);
}, 60_000);

afterAll(async () => {
  killAll(pids);
  for (const mock of mocks) await mock.stop();
  rmSync(work, { recursive: true, force: true });
});

/** A fresh HOME for one test. */
function newHome(name: string): string {
  const home = join(work, name);
  mkdirSync(home, { recursive: true });
  return home;
}

function writeConfig(dir: string, providers: unknown, rotations: unknown = { rotations: {} }): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, "providers.json"), JSON.stringify(providers));
  writeFileSync(join(dir, "rotations.json"), JSON.stringify(rotations));
}

function daemon(args: string[], env: Record<string, string>) {
  const result = run(bin, ["daemon", ...args], env);
  if (result.code === 0) pids.add(startedPid(result.stdout));
  return result;
}

describe("aisbf --version and --help", () => {
  test("the version is the one scripts/build stamped", () => {
    const result = run(bin, ["--version"], cleanEnv(newHome("version")));
    expect(result).toMatchObject({ code: 0, stdout: `${TEST_VERSION}\n` });
  });

  test("--help lists every command, and each command has its own --help", () => {
    const env = cleanEnv(newHome("help"));
    const help = run(bin, ["--help"], env);
    expect(help.code).toBe(0);
    for (const command of [
      "serve",
      "daemon",
      "status",
      "stop",
      "install-service",
      "config check",
      "config path",
    ])
      expect(help.stdout).toContain(command);
    for (const command of ["serve", "daemon", "status", "stop", "install-service", "config"]) {
      const own = run(bin, [command, "--help"], env);
      expect(own.code).toBe(0);
      expect(own.stdout).toStartWith(`Usage: aisbf ${command === "serve" ? "[serve]" : command}`);
    }
    expect(run(bin, ["bogus"], env).code).toBe(2);
  });
});

describe("daemon, status, stop", () => {
  test("first run creates ~/.aisbf; daemon -> status -> stop round trip; a second daemon is refused", async () => {
    const home = newHome("roundtrip");
    const env = cleanEnv(home);
    const port = freePort();
    const started = daemon(["--port", String(port)], env);
    expect(started.code).toBe(0);
    const pid = startedPid(started.stdout);
    expect(started.stdout).toContain(`http://127.0.0.1:${port}`);

    // First run: the directory 0700 and the embedded defaults 0600.
    const dir = join(home, ".aisbf");
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const name of ["providers.json", "rotations.json"]) {
      expect(statSync(join(dir, name)).mode & 0o777).toBe(0o600);
      expect(JSON.parse(readFileSync(join(dir, name), "utf8"))).toBeObject();
    }
    // Without XDG_RUNTIME_DIR the PID file is ~/.aisbf/aisbf.pid and holds the server's own PID.
    expect(readFileSync(join(dir, "aisbf.pid"), "utf8").trim()).toBe(String(pid));
    const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { pid: number };
    expect(health.pid).toBe(pid);
    expect(readFileSync(join(dir, "aisbf.log"), "utf8")).toContain(`listening on http://127.0.0.1:${port}`);

    const status = run(bin, ["status"], env);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`running (PID ${pid}) on http://127.0.0.1:${port}`);
    expect(status.stdout).toMatch(/up \d+s/);
    expect(status.stdout).toMatch(/openai\s+healthy/);
    expect(status.stdout).toMatch(/ollama\s+healthy/);
    expect(status.stdout).toContain("usage today: no requests yet");

    const second = daemon(["--port", String(freePort())], env);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`already running for config dir ${dir} (PID ${pid}`);
    expect(isRunning(pid)).toBe(true);

    const stopped = run(bin, ["stop"], env);
    expect(stopped).toMatchObject({ code: 0, stdout: `stopped aisbf (PID ${pid})\n` });
    expect(isRunning(pid)).toBe(false);
    expect(existsSync(join(dir, "aisbf.pid"))).toBe(false);

    expect(run(bin, ["status"], env).code).toBe(3);
    const again = run(bin, ["stop"], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("not running");
  });

  test("a stale PID file (process gone, or PID reused by another program) is reported and removed", async () => {
    const home = newHome("stale");
    const runtimeDir = join(home, "run");
    mkdirSync(runtimeDir, { mode: 0o700 });
    const env = cleanEnv(home, { XDG_RUNTIME_DIR: runtimeDir });
    const pidFile = join(runtimeDir, "aisbf.pid");

    const finished = Bun.spawn(["true"]);
    await finished.exited;
    writeFileSync(pidFile, `${finished.pid}\n`);
    const gone = run(bin, ["status"], env);
    expect(gone.code).toBe(3);
    expect(gone.stdout).toContain(`stale PID file ${pidFile} (process ${finished.pid} is gone)`);
    expect(existsSync(pidFile)).toBe(false);

    // A PID that now belongs to another program: reported as stale, and that program is left alone.
    const other = Bun.spawn(["sleep", "30"]);
    pids.add(other.pid);
    writeFileSync(pidFile, `${other.pid}\n`);
    const reused = run(bin, ["status"], env);
    expect(reused.code).toBe(3);
    expect(reused.stdout).toContain(`PID ${other.pid} now belongs to another program`);
    writeFileSync(pidFile, `${other.pid}\n`);
    const stop = run(bin, ["stop"], env);
    expect(stop.code).toBe(0);
    expect(stop.stdout).toContain("stale PID file");
    expect(isRunning(other.pid)).toBe(true);

    // A daemon starts over a stale file, and uses the runtime dir for its PID file.
    writeFileSync(pidFile, `${other.pid}\n`);
    const started = daemon(["--port", "0"], env);
    expect(started.code).toBe(0);
    expect(started.stderr).toContain("removed a stale PID file");
    const pid = startedPid(started.stdout);
    expect(readFileSync(pidFile, "utf8").trim()).toBe(String(pid));
    expect(run(bin, ["stop"], env).code).toBe(0);
    expect(isRunning(other.pid)).toBe(true);
    other.kill();
  });

  test("a bad config or a taken port fails loudly, with no PID file and no process left", () => {
    const home = newHome("bad");
    const env = cleanEnv(home);
    const badDir = join(home, "bad-config");
    writeConfig(badDir, { providers: { x: { id: "x", type: "azure" } } });
    const bad = daemon(["--config-dir", badDir], env);
    expect(bad.code).toBe(78);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toContain(join(badDir, "providers.json"));
    expect(bad.stderr).toContain("providers.x.type");
    expect(existsSync(join(badDir, "aisbf.pid"))).toBe(false);

    // Beyond loopback with no client keys: the server refuses, and the daemon says why.
    const exposed = daemon(["--host", "0.0.0.0", "--port", "0"], env);
    expect(exposed.code).toBe(1);
    expect(exposed.stderr).toContain("refusing to listen on 0.0.0.0 with no client API keys");
    expect(existsSync(join(home, ".aisbf", "aisbf.pid"))).toBe(false);

    const taken = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("not aisbf") });
    try {
      const failed = daemon(["--port", String(taken.port)], env);
      expect(failed.code).toBe(1);
      expect(failed.stdout).toBe("");
      expect(failed.stderr).toContain("could not start the daemon");
      expect(failed.stderr).toContain(`port ${taken.port} in use`);
      expect(existsSync(join(home, ".aisbf", "aisbf.pid"))).toBe(false);
      expect(run(bin, ["status"], env).code).toBe(3);
    } finally {
      taken.stop(true);
    }
  });

  test("SIGTERM (aisbf stop) during a streaming response lets the stream finish", async () => {
    const events = sseEventsOf(fixture("openai", "chat-completions-stream-include-usage.sse"));
    const mock = startMock(() => sseResponse(events, { delayMs: 150 }));
    mocks.push(mock);
    const home = newHome("stream");
    const dir = join(home, "conf");
    writeConfig(dir, {
      providers: {
        mock: {
          id: "mock",
          name: "Mock",
          endpoint: `${mock.url}/v1`,
          type: "openai",
          api_key_required: true,
          api_key: SECRET,
        },
      },
    });
    const env = cleanEnv(home, { AISBF_CONFIG_DIR: dir });
    const started = daemon(["--port", "0"], env);
    expect(started.code).toBe(0);
    const pid = startedPid(started.stdout);
    const url = /on (http:\/\/\S+)/.exec(started.stdout)?.[1] ?? "";

    const response = await fetch(`${url}/api/mock/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "gpt-4o-mini",
        stream: true,
        messages: [{ role: "user", content: "hi" }],
      }),
    });
    expect(response.status).toBe(200);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = "";
    while (!text.includes("data: ")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }

    const stopping = runAsync(bin, ["stop"], env);
    // The server stops accepting new connections at once, yet keeps streaming to the client it has.
    let refused = false;
    for (let i = 0; i < 50 && !refused; i++) {
      refused = await fetch(`${url}/health`, { headers: { connection: "close" } }).then(
        () => false,
        () => true,
      );
      if (!refused) await Bun.sleep(20);
    }
    expect(refused).toBe(true);
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    expect(text.trimEnd()).toEndWith("data: [DONE]");
    expect(text.match(/"chat\.completion\.chunk"/g)?.length).toBeGreaterThanOrEqual(events.length - 1);
    const stop = await stopping;
    expect(stop).toMatchObject({ code: 0, stdout: `stopped aisbf (PID ${pid})\n` });
    expect(isRunning(pid)).toBe(false);

    const log = readFileSync(join(dir, "aisbf.log"), "utf8");
    expect(log).toContain("shutting down: finishing in-flight requests");
    expect(log).not.toContain(SECRET);
    expect(started.stdout + started.stderr + stop.stdout).not.toContain(SECRET);
  });
});

describe("stop when a stream never ends", () => {
  test("SIGKILL only after the timeout, then the PID file is gone", async () => {
    const events = sseEventsOf(fixture("openai", "chat-completions-stream-include-usage.sse"));
    const mock = startMock(() => sseResponse(events, { stallAfter: 2 }));
    mocks.push(mock);
    const home = newHome("stall");
    const dir = join(home, "conf");
    writeConfig(dir, {
      providers: {
        mock: {
          id: "mock",
          name: "Mock",
          endpoint: `${mock.url}/v1`,
          type: "openai",
          api_key_required: false,
        },
      },
    });
    const env = cleanEnv(home, { AISBF_CONFIG_DIR: dir });
    const started = daemon(["--port", "0"], env);
    expect(started.code).toBe(0);
    const pid = startedPid(started.stdout);
    const url = /on (http:\/\/\S+)/.exec(started.stdout)?.[1] ?? "";
    const response = await fetch(`${url}/api/mock/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "m", stream: true, messages: [{ role: "user", content: "hi" }] }),
    });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();

    const begun = Date.now();
    const stop = run(bin, ["stop", "--timeout", "1"], env);
    expect(Date.now() - begun).toBeGreaterThanOrEqual(1000);
    // A kill cuts whatever was in flight: the stop was forced (75), not clean.
    expect(stop.code).toBe(75);
    expect(stop.stderr).toContain(`PID ${pid} did not exit within 1 s of SIGTERM; sending SIGKILL`);
    expect(stop.stderr).toContain("aisbf: the stop was forced: killed (SIGKILL)");
    expect(stop.stdout).toBe(`killed aisbf (PID ${pid}) after 1 s\n`);
    expect(isRunning(pid)).toBe(false);
    expect(existsSync(join(dir, "aisbf.pid"))).toBe(false);
    await reader.cancel().catch(() => {});
  });
});

describe("serve and config", () => {
  test("serve prints a start-up summary on stderr and exits 0 on SIGINT", async () => {
    const home = newHome("serve");
    const port = freePort();
    const child = Bun.spawn([bin, "serve", "--port", String(port)], {
      cwd: home,
      env: cleanEnv(home, { ANTHROPIC_API_KEY: SECRET }),
      stdout: "pipe",
      stderr: "pipe",
    });
    pids.add(child.pid);
    const up = await waitFor(() => existsSync(join(home, ".aisbf", "rotations.json")), 5000);
    expect(up).toBe(true);
    let answered = false;
    for (let i = 0; i < 100 && !answered; i++) {
      answered = await fetch(`http://127.0.0.1:${port}/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (!answered) await Bun.sleep(20);
    }
    expect(answered).toBe(true);
    child.kill("SIGINT");
    expect(await child.exited).toBe(0);
    const stderr = await new Response(child.stderr).text();
    expect(stderr).toContain(`listening on http://127.0.0.1:${port}`);
    expect(stderr).toContain(`config: ${join(home, ".aisbf")}`);
    expect(stderr).toContain("openai (openai) https://api.openai.com/v1: key missing (set OPENAI_API_KEY)");
    expect(stderr).toContain("anthropic (anthropic) https://api.anthropic.com: key configured");
    expect(stderr).toContain("rotations: default");
    expect(stderr).not.toContain(SECRET);
  });

  test("config check shows what would be served with keys masked; config path prints the dir", () => {
    const home = newHome("config");
    const env = cleanEnv(home, { OPENAI_API_KEY: SECRET });
    // Nothing written yet: check shows the built-in defaults without creating the directory.
    const fresh = run(bin, ["config", "check"], env);
    expect(fresh.code).toBe(0);
    expect(fresh.stdout).toContain("no config files yet");
    expect(fresh.stdout).toContain("key: set (from $OPENAI_API_KEY)");
    expect(fresh.stdout).toContain("key: missing (set ANTHROPIC_API_KEY");
    expect(fresh.stdout).toContain("serves: http://127.0.0.1:17765");
    expect(fresh.stdout).toMatch(/default \(weighted\): openai\/gpt-4\.1-mini x\d/);
    expect(fresh.stdout).toContain("config OK");
    expect(fresh.stdout + fresh.stderr).not.toContain(SECRET);
    expect(existsSync(join(home, ".aisbf"))).toBe(false);

    const literal = join(home, "literal");
    writeConfig(literal, {
      providers: {
        p: {
          id: "p",
          name: "P",
          endpoint: "http://127.0.0.1:1/v1",
          type: "openai",
          api_key_required: true,
          api_key: SECRET,
        },
      },
    });
    const masked = run(bin, ["config", "check", "--config-dir", literal], env);
    expect(masked.code).toBe(0);
    expect(masked.stdout).toContain("key: set (literal in providers.json)");
    expect(masked.stdout + masked.stderr).not.toContain(SECRET);

    writeFileSync(join(literal, "aisbf.json"), JSON.stringify({ port: "x" }));
    const invalid = run(bin, ["config", "check", "--config-dir", literal], env);
    expect(invalid.code).toBe(78);
    expect(invalid.stderr).toContain(join(literal, "aisbf.json"));

    expect(run(bin, ["config", "path"], env).stdout).toBe(`${join(home, ".aisbf")}\n`);
    expect(run(bin, ["config", "path"], { ...env, AISBF_CONFIG_DIR: literal }).stdout).toBe(`${literal}\n`);
  });
});
