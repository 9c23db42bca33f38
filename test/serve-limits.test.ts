// The real `serve` command's limits: an oversize body or header set gets OpenAI's error shape from the gateway,
// never the runtime's own empty 413/431.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

let dir: string;
let server: ReturnType<typeof Bun.spawn> | undefined;
let url = "";

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "aisbf-limits-"));
  writeFileSync(
    join(dir, "providers.json"),
    JSON.stringify({
      providers: {
        local: {
          id: "local",
          name: "local",
          type: "openai",
          endpoint: "http://127.0.0.1:9/v1",
          api_key_required: false,
        },
      },
    }),
  );
  writeFileSync(join(dir, "rotations.json"), JSON.stringify({ rotations: {} }));
  writeFileSync(join(dir, "aisbf.json"), JSON.stringify({ max_body_bytes: 1_000_000 }));
  server = Bun.spawn(
    [
      process.execPath,
      join(import.meta.dir, "..", "src", "main.ts"),
      "serve",
      "--config-dir",
      dir,
      "--port",
      "0",
    ],
    {
      stdout: "ignore",
      stderr: "pipe",
      env: { ...process.env, HOME: dir },
    },
  );
  const reader = (server.stderr as ReadableStream<Uint8Array>).getReader();
  let text = "";
  const deadline = Date.now() + 15_000;
  while (!/listening on (http:\/\/\S+)/.test(text) && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  url = /listening on (http:\/\/\S+)/.exec(text)?.[1] ?? "";
  reader.releaseLock();
  expect(url).not.toBe("");
});

afterAll(() => {
  if (server) process.kill(server.pid, "SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

test("a body over max_body_bytes: a JSON 413 from the gateway, even far over the limit", async () => {
  for (const size of [1_100_000, 3_000_000]) {
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "local/m", messages: [{ role: "user", content: "x".repeat(size) }] }),
    });
    expect(response.status).toBe(413);
    expect((await response.json()).error.code).toBe("request_too_large");
  }
});

test("a chunked body (no Content-Length) is counted as it arrives: 413 past the limit, read in full below it", async () => {
  const chunkedBody = (text: string, repeat: number) =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        const bytes = new TextEncoder().encode(text);
        for (let i = 0; i < repeat; i++) controller.enqueue(bytes);
        controller.close();
      },
    });
  const padding = "x".repeat(64 * 1024);
  const over = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: chunkedBody(padding, 40),
  });
  expect(over.status).toBe(413);
  expect((await over.json()).error.code).toBe("request_too_large");

  const parts = ['{"model":"unknown-provider/m",', '"messages":[{"role":"user","content":"hi"}]}'];
  const under = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: new ReadableStream<Uint8Array>({
      start(controller) {
        for (const part of parts) controller.enqueue(new TextEncoder().encode(part));
        controller.close();
      },
    }),
  });
  // Read whole and parsed: the model names no known provider, so the answer is routing's 404, not a 400 or 413.
  expect(under.status).toBe(404);
  expect((await under.json()).error.code).toBe("model_not_found");
});

test("headers over the default limit: a JSON 431 from the gateway", async () => {
  const response = await fetch(`${url}/health`, { headers: { "x-padding": "a".repeat(14_000) } });
  expect(response.status).toBe(431);
  expect((await response.json()).error.code).toBe("request_header_fields_too_large");
});
