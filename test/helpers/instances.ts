// Gateway processes for the multi-instance and reload suites: `bun src/main.ts serve` on free 127.0.0.1 ports, each
// with its own config dir, their output kept, stopped by PID.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, REPO, tempDir } from "../cli-helpers.ts";

export interface Instance {
  url: string;
  pid: number;
  dir: string;
  /** Everything it wrote to stderr and stdout so far. */
  output(): string;
  writeConfig(name: string, value: unknown): void;
  stop(): Promise<void>;
}

export interface InstanceConfig {
  providers: unknown;
  rotations?: unknown;
  server?: unknown;
}

/** Writes the config files into a new dir (or `dir`) and starts a gateway on it; resolves once /health answers. */
export async function startInstance(
  config: InstanceConfig,
  env: Record<string, string> = {},
): Promise<Instance> {
  const dir = join(tempDir("aisbf-instance-"), "config");
  mkdirSync(dir);
  const write = (name: string, value: unknown) =>
    writeFileSync(join(dir, name), `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  write("providers.json", { providers: config.providers });
  write("rotations.json", { rotations: config.rotations ?? {} });
  if (config.server !== undefined) write("aisbf.json", config.server);
  const port = freePort();
  const child = Bun.spawn([process.execPath, join(REPO, "src/main.ts"), "serve", "--port", String(port)], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? "", HOME: dir, AISBF_CONFIG_DIR: dir, ...env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  let text = "";
  const decoder = new TextDecoder();
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) text += decoder.decode(chunk, { stream: true });
  };
  void drain(child.stdout);
  void drain(child.stderr);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill("SIGKILL");
      throw new Error(`gateway on ${port} did not start:\n${text}`);
    }
    await Bun.sleep(50);
  }
  return {
    url,
    pid: child.pid,
    dir,
    output: () => text,
    writeConfig: write,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      const exited = await Promise.race([child.exited.then(() => true), Bun.sleep(5000).then(() => false)]);
      if (!exited) child.kill("SIGKILL");
    },
  };
}

/** Polls until `check` holds (or throws when `timeoutMs` passes). */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(25);
  }
}

export async function chat(url: string, model: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

/** An Anthropic Messages request, as Claude Code sends one (x-api-key). */
export async function messages(url: string, model: string, secret: string) {
  const response = await fetch(`${url}/v1/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": secret, "anthropic-version": "2023-06-01" },
    body: JSON.stringify({ model, max_tokens: 64, messages: [{ role: "user", content: "hi" }] }),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}
