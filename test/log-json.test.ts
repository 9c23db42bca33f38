// --log-format json end to end: every line the server writes while it runs, start-up summary and fatal errors
// included, is one JSON object (so a log collector can parse each), and none holds a key.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cleanEnv, freePort, killAll, REPO, run, tempDir } from "./cli-helpers.ts";
import {
  fixture,
  jsonResponse,
  type MockUpstream,
  sseEventsOf,
  sseResponse,
  startMock,
} from "./helpers/mock-upstream.ts";

const MAIN = join(REPO, "src", "main.ts");
const SECRET = "sk-logjson-0123456789abcdefSECRET";

let work: string;
let mock: MockUpstream;
const pids = new Set<number>();

beforeAll(() => {
  work = tempDir("aisbf-log-json-");
  const events = sseEventsOf(fixture("openai", "chat-completions-stream-include-usage.sse"));
  const completion = JSON.parse(fixture("openai", "chat-completions-text.json")) as unknown;
  mock = startMock((request) => {
    const body = request.body as { stream?: boolean; model?: string };
    if (body.model === "broken")
      return jsonResponse({ error: { message: "boom", type: "server_error" } }, 500);
    return body.stream ? sseResponse(events) : jsonResponse(completion);
  });
});

afterAll(async () => {
  killAll(pids);
  await mock.stop();
  rmSync(work, { recursive: true, force: true });
});

/** A config dir: one provider on the mock with a key, one whose key variable is unset (a start-up warning). */
function configDir(name: string): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  const provider = { name: "Mock", endpoint: `${mock.url}/v1`, type: "openai", api_key_required: true };
  writeFileSync(
    join(dir, "providers.json"),
    JSON.stringify({
      providers: {
        mock: { id: "mock", ...provider, api_key: SECRET },
        unset: { id: "unset", ...provider, api_key: "${AISBF_TEST_UNSET_KEY}" },
      },
    }),
  );
  writeFileSync(join(dir, "rotations.json"), JSON.stringify({ rotations: {} }));
  return dir;
}

/** Every line must be a JSON object; returns them parsed. */
function jsonLines(text: string): Record<string, unknown>[] {
  const lines = text.split("\n").filter((line) => line !== "");
  return lines.map((line) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new Error(`not a JSON line: ${line}`);
    }
    expect(parsed).toBeObject();
    return parsed as Record<string, unknown>;
  });
}

async function chat(url: string, body: Record<string, unknown>): Promise<Response> {
  const response = await fetch(`${url}/api/mock/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer sk-caller-0123456789SECRET" },
    body: JSON.stringify({ messages: [{ role: "user", content: "hi" }], ...body }),
  });
  await response.text();
  return response;
}

describe("--log-format json", () => {
  test("serve: summary, warnings, request logs and the shutdown are all JSON lines", async () => {
    const home = join(work, "home-serve");
    mkdirSync(home);
    const child = Bun.spawn(
      [
        process.execPath,
        MAIN,
        "serve",
        "--config-dir",
        configDir("serve"),
        "--port",
        "0",
        "--log-format",
        "json",
      ],
      { env: cleanEnv(home), cwd: home, stdout: "pipe", stderr: "pipe" },
    );
    pids.add(child.pid);
    const stderr = (child.stderr as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = "";
    while (!text.includes('"listening"')) {
      const { value, done } = await stderr.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    const listening = jsonLines(text).find((line) => line.msg === "listening");
    expect(listening).toMatchObject({ level: "info", runtime: "bun", rotations: [] });
    expect(listening?.providers).toEqual([
      { id: "mock", type: "openai", endpoint: `${mock.url}/v1`, key: "configured" },
      {
        id: "unset",
        type: "openai",
        endpoint: `${mock.url}/v1`,
        key: "missing",
        key_env: "AISBF_TEST_UNSET_KEY",
      },
    ]);
    const url = String(listening?.url);

    expect((await chat(url, { model: "gpt-4o-mini" })).status).toBe(200);
    expect((await chat(url, { model: "gpt-4o-mini", stream: true })).status).toBe(200);
    expect((await chat(url, { model: "broken" })).status).toBe(500);
    expect((await chat(url, { model: "" })).status).toBe(400);
    expect((await fetch(`${url}/nowhere`)).status).toBe(404);
    child.kill("SIGTERM");
    expect(await child.exited).toBe(0);
    for (;;) {
      const { value, done } = await stderr.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    const stdout = await new Response(child.stdout).text();

    const lines = [...jsonLines(text), ...jsonLines(stdout)];
    expect(lines.map((line) => line.msg)).toContain("shutting down: finishing in-flight requests");
    expect(lines.some((line) => String(line.msg).includes("AISBF_TEST_UNSET_KEY"))).toBe(true);
    for (const line of lines)
      expect(line).toMatchObject({ time: expect.any(String), level: expect.any(String) });
    expect(text + stdout).not.toContain("SECRET");
  });

  test("a fatal error is a JSON line too: a bad config file, a port taken", () => {
    const home = join(work, "home-fatal");
    mkdirSync(home);
    const bad = configDir("fatal-config");
    writeFileSync(join(bad, "rotations.json"), '{"rotations": {},}');
    const config = run(
      process.execPath,
      [MAIN, "serve", "--config-dir", bad, "--log-format", "json"],
      cleanEnv(home),
      10_000,
    );
    expect(config.code).toBe(78);
    const [configLine, ...rest] = jsonLines(config.stderr);
    expect(rest).toEqual([]);
    expect(configLine).toMatchObject({ level: "error", error: "ConfigError" });
    expect(String(configLine?.msg)).toStartWith(`${join(bad, "rotations.json")}:1:17: not valid JSON`);

    const taken = Bun.serve({ hostname: "127.0.0.1", port: freePort(), fetch: () => new Response() });
    try {
      const busy = run(
        process.execPath,
        [MAIN, "serve", "--config-dir", configDir("fatal-port"), "--port", String(taken.port)],
        { ...cleanEnv(home), AISBF_LOG_FORMAT: "json" },
        10_000,
      );
      expect(busy.code).toBe(1);
      const lines = jsonLines(busy.stderr);
      expect(lines.at(-1)).toMatchObject({ level: "error" });
      expect(busy.stderr).not.toContain("SECRET");
    } finally {
      taken.stop(true);
    }
  });

  test("daemon: the log file holds only JSON lines, its own start marker included", () => {
    const home = join(work, "home-daemon");
    mkdirSync(home);
    const dir = configDir("daemon");
    const env = cleanEnv(home);
    const started = run(
      process.execPath,
      [MAIN, "daemon", "--config-dir", dir, "--port", "0", "--log-format", "json"],
      env,
      20_000,
    );
    expect(started.code).toBe(0);
    const pid = Number(/PID (\d+)/.exec(started.stdout)?.[1]);
    pids.add(pid);
    expect(run(process.execPath, [MAIN, "stop", "--config-dir", dir], env, 20_000).code).toBe(0);
    const lines = jsonLines(readFileSync(join(dir, "aisbf.log"), "utf8"));
    expect(lines.map((line) => line.msg)).toEqual(
      expect.arrayContaining([
        "aisbf daemon starting",
        "listening",
        "shutting down: finishing in-flight requests",
      ]),
    );
  });
});
