// A stop whose grace runs out: each stream still open gets a final error event in OpenAI's shape (never a bare
// reset a client could take for the end), and the exit status says the stop was forced (75).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cleanEnv, isRunning, killAll, REPO, run, startedPid, tempDir } from "./cli-helpers.ts";
import { type MockUpstream, startMock } from "./helpers/mock-upstream.ts";

const MAIN = join(REPO, "src", "main.ts");
const SECRET = "sk-shutdown-0123456789abcdefSECRET";
const FORCED_STOP_EXIT = 75;

let work: string;
let mock: MockUpstream;
const pids = new Set<number>();

/** An upstream that streams content forever (one delta every 50 ms) or, for model "hang", never answers. */
function foreverStream(): Response {
  const encoder = new TextEncoder();
  const chunk = {
    id: "chatcmpl-forever",
    object: "chat.completion.chunk",
    created: 1,
    model: "m",
    choices: [{ index: 0, delta: { content: "x" }, finish_reason: null }],
  };
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      await Bun.sleep(50);
      controller.enqueue(encoder.encode(`data: ${JSON.stringify(chunk)}\n\n`));
    },
  });
  return new Response(body, { headers: { "content-type": "text/event-stream" } });
}

beforeAll(() => {
  work = tempDir("aisbf-shutdown-");
  mock = startMock(async (request) => {
    if ((request.body as { model?: string }).model === "hang") await Bun.sleep(600_000);
    return foreverStream();
  });
});

afterAll(async () => {
  killAll(pids);
  await mock.stop();
  rmSync(work, { recursive: true, force: true });
});

function configDir(name: string): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  const mockProvider = {
    id: "mock",
    name: "Mock",
    endpoint: `${mock.url}/v1`,
    type: "openai",
    api_key_required: true,
    api_key: SECRET,
  };
  writeFileSync(join(dir, "providers.json"), JSON.stringify({ providers: { mock: mockProvider } }));
  writeFileSync(join(dir, "rotations.json"), JSON.stringify({ rotations: {} }));
  return dir;
}

/** Starts `serve` from source; resolves with the child, its address and its stderr so far (read on). */
async function startServe(args: string[], env: Record<string, string>) {
  const home = join(work, `home-${pids.size}`);
  mkdirSync(home, { recursive: true });
  const child = Bun.spawn([process.execPath, MAIN, "serve", "--port", "0", ...args], {
    env: { ...cleanEnv(home), ...env },
    cwd: home,
    stdout: "pipe",
    stderr: "pipe",
  });
  pids.add(child.pid);
  const reader = (child.stderr as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let stderr = "";
  while (!/listening on (http:\/\/\S+)/.test(stderr)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`serve exited before listening:\n${stderr}`);
    stderr += decoder.decode(value, { stream: true });
  }
  const url = /listening on (http:\/\/\S+)/.exec(stderr)?.[1] ?? "";
  const rest = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return stderr;
      stderr += decoder.decode(value, { stream: true });
    }
  })();
  return { child, url, stderr: rest };
}

/** Opens a stream and reads until its first content has arrived; `rest()` reads it to its end. */
async function openStream(url: string) {
  const response = await fetch(`${url}/api/mock/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "m", stream: true, messages: [{ role: "user", content: "hi" }] }),
  });
  expect(response.status).toBe(200);
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (!text.includes('"content":"x"')) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the stream ended before content: ${text}`);
    text += decoder.decode(value, { stream: true });
  }
  return {
    async rest(): Promise<string> {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return text;
        text += decoder.decode(value, { stream: true });
      }
    },
  };
}

/** The stream's last SSE event, which must be the gateway's error in OpenAI's shape. */
function lastEvent(text: string): unknown {
  const events = text.split("\n\n").filter((event) => event.trim() !== "");
  const last = events.at(-1) ?? "";
  expect(last).toStartWith("data: {");
  return JSON.parse(last.slice("data: ".length));
}

describe("a stop that outlasts the shutdown grace", () => {
  test("every open stream ends with an error event, and serve exits 75", async () => {
    const { child, url, stderr } = await startServe(
      ["--config-dir", configDir("forced"), "--shutdown-grace", "1"],
      {},
    );
    const streams = [await openStream(url), await openStream(url)];
    const begun = Date.now();
    child.kill("SIGTERM");
    const texts = await Promise.all(streams.map((stream) => stream.rest()));
    // Cut at the end of the 1 s grace, not at once and not after the default 30 s.
    expect(Date.now() - begun).toBeGreaterThanOrEqual(900);
    expect(Date.now() - begun).toBeLessThan(10_000);
    for (const text of texts) {
      expect(text).not.toContain("[DONE]");
      expect(lastEvent(text)).toEqual({
        error: {
          message: expect.stringContaining("shutting down"),
          type: "server_error",
          code: "server_shutting_down",
          param: null,
        },
      });
    }
    expect(await child.exited).toBe(FORCED_STOP_EXIT);
    const log = await stderr;
    expect(log).toContain("shutdown grace ended: cutting what is still open");
    expect(log).toContain(
      "aisbf: stopped by force: requests or streams still open when the 1 s shutdown grace",
    );
    expect(log).not.toContain(SECRET);
  });

  test("a request still waiting on its upstream is closed too, and the process exits (AISBF_SHUTDOWN_GRACE)", async () => {
    const { child, url } = await startServe(["--config-dir", configDir("hung")], {
      AISBF_SHUTDOWN_GRACE: "0.5",
    });
    const stream = await openStream(url);
    const hung = fetch(`${url}/api/mock/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "hang", messages: [{ role: "user", content: "hi" }] }),
    }).then(
      (response) => response.status,
      () => "closed",
    );
    await Bun.sleep(100);
    child.kill("SIGTERM");
    expect(lastEvent(await stream.rest())).toMatchObject({ error: { code: "server_shutting_down" } });
    expect(await hung).toBe("closed");
    expect(await child.exited).toBe(FORCED_STOP_EXIT);
  });

  test("a stream that is done within the grace leaves a clean exit", async () => {
    const { child, url } = await startServe(
      ["--config-dir", configDir("clean"), "--shutdown-grace", "5"],
      {},
    );
    expect((await fetch(`${url}/health`)).status).toBe(200);
    child.kill("SIGTERM");
    expect(await child.exited).toBe(0);
  });

  test("aisbf stop reports a forced stop of the daemon and exits 75", async () => {
    const home = join(work, "home-daemon");
    mkdirSync(home, { recursive: true });
    const dir = configDir("daemon");
    const env = cleanEnv(home);
    const started = run(
      process.execPath,
      [MAIN, "daemon", "--config-dir", dir, "--port", "0", "--shutdown-grace", "1"],
      env,
      20_000,
    );
    expect(started.code).toBe(0);
    const pid = startedPid(started.stdout);
    pids.add(pid);
    const url = /on (http:\/\/\S+)/.exec(started.stdout)?.[1] ?? "";
    const stream = await openStream(url);

    const stop = Bun.spawn([process.execPath, MAIN, "stop", "--config-dir", dir], {
      env,
      cwd: home,
      stdout: "pipe",
      stderr: "pipe",
    });
    expect(lastEvent(await stream.rest())).toMatchObject({ error: { code: "server_shutting_down" } });
    expect(await stop.exited).toBe(FORCED_STOP_EXIT);
    expect(await new Response(stop.stdout).text()).toBe(`stopped aisbf (PID ${pid})\n`);
    expect(await new Response(stop.stderr).text()).toBe(
      "aisbf: the stop was forced: requests or streams still open when the server's 1 s shutdown grace ended were cut (each open stream got a final error event)\n",
    );
    expect(isRunning(pid)).toBe(false);
    expect(existsSync(join(dir, "aisbf.pid"))).toBe(false);
    expect(existsSync(join(dir, "aisbf.state.json"))).toBe(false);
  });
});
