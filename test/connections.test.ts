// Connections over real sockets: idle keep-alive connections are timed out, a body that never comes gets a 408,
// a refused request's connection does not stay open, slow answers and streams are not cut by the idle timeout,
// concurrent requests per client address are capped with keys off; and what Bun answers by itself before the app
// sees a request (oversize headers, bad Content-Length) leaves the server up.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { hashedKeyValue, resolveClientKeys } from "../src/config/client-keys.ts";
import type { ServerFile } from "../src/config/schema.ts";
import { type GatewayOptions, openaiProvider, startGateway, type TestGateway } from "./helpers/gateway.ts";
import {
  fixture,
  jsonResponse,
  type MockUpstream,
  sseEventsOf,
  sseResponse,
  startMock,
} from "./helpers/mock-upstream.ts";
import { closesWithin, openRaw, responseJson } from "./helpers/raw-socket.ts";

const CLIENT_KEY = "aisbf-connections-key-000111";
const events = sseEventsOf(fixture("openai", "chat-completions-stream-include-usage.sse"));
// Content, content, finish, [DONE]: four events, so a chunk every 1.5 s spans 6 s, past Bun's 4 s timeout sweep.
const slowEvents = [events[1], events[2], events.at(-3), events.at(-1)].filter((e) => e !== undefined);
const completion = fixture("openai", "chat-completions-text-httprr.json");
/** Bun sweeps socket timeouts every 4 s: a 1 s idle timeout closes within 1-5 s. */
const IDLE_CLOSE_MS = 6_500;
/** For tests that wait on the idle timeout or a slow upstream: longer than bun:test's 5 s default. */
const SLOW_TEST = { timeout: 20_000 };

let upstream: MockUpstream;
const gateways: TestGateway[] = [];

beforeAll(() => {
  upstream = startMock((request) => {
    const body = request.body as { model?: string; stream?: boolean };
    if (body.model === "slow-stream") return sseResponse(slowEvents, { delayMs: 1500 });
    if (body.model === "short-stream") return sseResponse(slowEvents, { delayMs: 300 });
    if (body.model === "slow-json") return Bun.sleep(5_500).then(() => jsonResponse(completion));
    return jsonResponse(completion);
  });
});
afterAll(async () => {
  for (const gw of gateways) await gw.stop();
  await upstream.stop();
});

function gateway(server: ServerFile, extra: Partial<GatewayOptions> = {}): TestGateway {
  const gw = startGateway({
    providers: { openai: openaiProvider("openai", `${upstream.url}/v1`) },
    server: { idle_timeout_seconds: 1, body_timeout_ms: 400, ...server },
    ...extra,
  });
  gateways.push(gw);
  return gw;
}

function chat(model: string, stream = false): string {
  return JSON.stringify({ model: `openai/${model}`, stream, messages: [{ role: "user", content: "hi" }] });
}

function post(path: string, body: string, headers = ""): string {
  return `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${headers}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

describe.concurrent("timeouts", () => {
  test(
    "idle keep-alive connections are closed after the idle timeout",
    async () => {
      const gw = gateway({});
      // 200, not the 500 of the report: client and server ends share this process's descriptors (often 1024).
      const connections = await Promise.all(Array.from({ length: 200 }, () => openRaw(gw.url)));
      for (const connection of connections)
        connection.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      await Promise.all(connections.map((connection) => connection.waitFor(/^HTTP\/1\.1 200/, 2_000)));
      const closed = await Promise.all(
        connections.map((connection) => closesWithin(connection, IDLE_CLOSE_MS)),
      );
      expect(closed.every(Boolean)).toBe(true);
    },
    SLOW_TEST,
  );

  test(
    "a body that never arrives: a 408 in OpenAI's shape after body_timeout_ms, then the connection closes",
    async () => {
      const gw = gateway({});
      const declared = await openRaw(gw.url);
      declared.write(
        "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{",
      );
      const chunked = await openRaw(gw.url);
      chunked.write(
        'POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"mod\r\n',
      );
      for (const connection of [declared, chunked]) {
        const started = performance.now();
        const { status, body } = responseJson(await connection.waitFor(/\r\n\r\n\{.*\}$/s, 3_000));
        expect(performance.now() - started).toBeLessThan(2_000);
        expect(status).toBe(408);
        expect(body).toEqual({
          error: {
            message: "The request body did not arrive within 400 ms",
            type: "invalid_request_error",
            code: "request_timeout",
            param: null,
          },
        });
        expect(await closesWithin(connection, 1_000)).toBe(true);
      }
    },
    SLOW_TEST,
  );

  test(
    "with client keys on, a request refused with a 401 does not keep its connection open",
    async () => {
      const { keys } = resolveClientKeys([{ name: "k", key: hashedKeyValue(CLIENT_KEY) }], {});
      const gw = gateway({}, { clientKeys: keys });
      const connection = await openRaw(gw.url);
      // Headers, then a body that stops after one byte of the 100 declared.
      connection.write(
        "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
      );
      expect(responseJson(await connection.waitFor(/\r\n\r\n\{.*\}$/s, 2_000)).status).toBe(401);
      expect(await closesWithin(connection, IDLE_CLOSE_MS)).toBe(true);
    },
    SLOW_TEST,
  );

  test(
    "a slow stream (a chunk every 1.5 s) outlives a 1 s idle timeout; its connection idles out after",
    async () => {
      const gw = gateway({});
      const connection = await openRaw(gw.url);
      connection.write(post("/v1/chat/completions", chat("slow-stream", true)));
      const text = await connection.waitFor(/data: \[DONE\]/, 12_000);
      expect(text).toContain('"content":"The"');
      expect(text).toContain('"content":" capital"');
      expect(text).toContain('"finish_reason":"stop"');
      // The hold was given back before the stream's end: the keep-alive connection is timed out again.
      expect(await closesWithin(connection, IDLE_CLOSE_MS)).toBe(true);
    },
    SLOW_TEST,
  );

  test(
    "an answer that takes 5.5 s to start is not cut by a 1 s idle timeout",
    async () => {
      const gw = gateway({});
      const connection = await openRaw(gw.url);
      connection.write(post("/v1/chat/completions", chat("slow-json")));
      const { status } = responseJson(await connection.waitFor(/\r\n\r\n\{.*\}\s*$/s, 9_000));
      expect(status).toBe(200);
      expect(await closesWithin(connection, IDLE_CLOSE_MS)).toBe(true);
    },
    SLOW_TEST,
  );
});

describe("client address cap", () => {
  test("with client keys off, requests in flight per client address are capped (429), freed as streams end", async () => {
    const gw = gateway({ max_concurrent_per_address: 2 });
    const send = (model: string, stream: boolean) =>
      fetch(`${gw.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: chat(model, stream),
      });
    const streams = await Promise.all([send("short-stream", true), send("short-stream", true)]);
    expect(streams.map((response) => response.status)).toEqual([200, 200]);
    const third = await send("fast", false);
    expect(third.status).toBe(429);
    expect(third.headers.get("retry-after")).toBe("1");
    expect((await third.json()).error.code).toBe("too_many_concurrent_requests");
    await Promise.all(streams.map((response) => response.text()));
    expect((await send("fast", false)).status).toBe(200);
  });
});

describe("what Bun answers before the app sees a request", () => {
  // Bun.serve has no hook for its parser's errors (its `error` handler is for the fetch handler's): these
  // answers have an empty body, not OpenAI's shape (README, Security). What matters is what is sent and that
  // the server stays up.
  test.each([
    [
      "headers over 16 KiB",
      `GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: ${"a".repeat(17_000)}\r\n\r\n`,
      431,
    ],
    [
      "two different Content-Lengths",
      "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
      400,
    ],
    [
      "a malformed Content-Length",
      "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1x\r\n\r\n{}",
      400,
    ],
    [
      "Content-Length with Transfer-Encoding",
      "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      400,
    ],
  ])("%s: an empty %d, the connection closed, the server still answering", async (_name, request, status) => {
    const gw = gateway({ idle_timeout_seconds: 10 });
    const connection = await openRaw(gw.url);
    connection.write(request);
    expect(await closesWithin(connection, 2_000)).toBe(true);
    const text = connection.received();
    expect(text.startsWith(`HTTP/1.1 ${status} `)).toBe(true);
    expect(text.endsWith("\r\n\r\n")).toBe(true);
    expect((await fetch(`${gw.url}/health`)).status).toBe(200);
  });
});
