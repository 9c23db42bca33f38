// Where a request's CPU goes inside AISBF's own JavaScript (issues 17 and 18), not a test: each stage of the
// OpenAI-to-OpenAI path run alone in one process, many times over, timed with process.cpuUsage, so the shared
// machine's noise hardly moves the figures (the saturation lane's ratios move by ±20% between runs here).
// Usage: bun bench/hot-path-cost.ts [--requests 50000] [--stage <part of a stage's name>]
// What the stages add up to, set against the saturation lane's "AISBF minus bare" CPU per request, says how much of
// the gap is the gateway's own work and how much the runtime's I/O (a fetch read in JavaScript and an answer
// written from it, where the bare pass-through hands the upstream body to the server natively).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Hono } from "hono";
import { chatClientRequest } from "../src/api/openai-chat/client-request.ts";
import { createChatStreamRenderer } from "../src/api/openai-chat/render-stream.ts";
import { loadConfig } from "../src/config/load.ts";
import { newId } from "../src/ids.ts";
import { createLogger, type Logger, silentLogger } from "../src/log/logger.ts";
import { Monitor } from "../src/observe/monitor.ts";
import { readEventStream } from "../src/providers/event-stream.ts";
import { toOpenAIRequest } from "../src/providers/openai/request.ts";
import { openAIStreamTransformer } from "../src/providers/openai/stream.ts";
import { createAdapters } from "../src/providers/registry.ts";
import { createMemoryHealthStore } from "../src/routing/health.ts";
import { bunSseWriter } from "../src/runtime/bun-sse-writer.ts";
import { frame, type SseWriter, standardSseWriter } from "../src/runtime/sse-writer.ts";
import type { Connections } from "../src/runtime/types.ts";
import { createApp } from "../src/server/app.ts";
import { readChatRequest } from "../src/server/routes/chat.ts";
import { JSON_BODY } from "./systems.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    requests: { type: "string", default: "50000" },
    /** Only the stages whose name contains this (for a profile of one: bun --cpu-prof-md ...). */
    stage: { type: "string" },
  },
});
const requests = Number(values.requests);

const MODEL = "bench-n20-i0";
const BODY = JSON_BODY(MODEL, true);

/** The saturation lane's mock stream: 20 content chunks, a finish chunk and [DONE], as one read. */
function mockStream(): Uint8Array {
  const head = `{"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1760000000,"model":"${MODEL}","choices":[{"index":0,`;
  let text = "";
  for (let i = 0; i < 20; i++) {
    const role = i === 0 ? `"role":"assistant",` : "";
    text += `data: ${head}"delta":{${role}"content":"t1765100000000.123;"},"logprobs":null,"finish_reason":null}]}\n\n`;
  }
  text += `data: ${head}"delta":{},"logprobs":null,"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n`;
  return new TextEncoder().encode(text);
}
const STREAM = mockStream();

const dir = mkdtempSync(join(tmpdir(), "aisbf-hot-path-"));
writeFileSync(
  join(dir, "providers.json"),
  JSON.stringify({
    providers: {
      mock: {
        id: "mock",
        name: "Mock",
        type: "openai",
        endpoint: "http://127.0.0.1:1/v1",
        api_key_required: false,
        models: [{ name: MODEL }],
      },
    },
  }),
);
writeFileSync(join(dir, "rotations.json"), JSON.stringify({ rotations: {} }));
const config = loadConfig(dir, {});
const target = { providerId: "mock", model: MODEL };
const usage = { inputTokens: 21, outputTokens: 20 };

function monitorWith(logger: Logger, access: boolean): Monitor {
  const server = { ...config.server, logging: { ...config.server.logging, access } };
  return new Monitor({
    config: { ...config, server },
    health: createMemoryHealthStore(Date.now),
    logger,
    version: "bench",
    clock: Date.now,
  });
}

/** One streamed request as the gateway reports it: arrival, one attempt, the commit point, usage, the end. */
function observed(monitor: Monitor): () => void {
  return () => {
    const trace = monitor.start("POST", "/api/mock/chat/completions");
    trace.dialect = "openai-chat";
    trace.route = "mock";
    trace.attempted(target, trace.mark(), undefined);
    trace.target = target;
    trace.committed();
    trace.usage = usage;
    trace.finish(200);
  };
}

/** The request as the gateway takes it in and sends it on: parse, validate, canonical, the upstream's body. */
function requestIn(): string {
  const chat = readChatRequest(JSON.parse(BODY));
  const { canonical, original } = chatClientRequest(chat);
  return JSON.stringify(toOpenAIRequest({ request: canonical, original, model: MODEL }).native);
}

/** The stream's way back: the upstream's bytes read as events, translated, and rendered for an OpenAI client. */
async function streamBack(): Promise<number> {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(STREAM);
      controller.close();
    },
  });
  const frames = readEventStream(body, "sse", openAIStreamTransformer("mock", silentLogger, "configured"), {
    providerId: "mock",
    signal: new AbortController().signal,
  }).getReader();
  const renderer = createChatStreamRenderer({ includeUsage: false, newId });
  let bytes = 0;
  for (;;) {
    const { done, value } = await frames.read();
    if (done) break;
    for (const event of renderer.render(value)) bytes += event.length;
  }
  return bytes + frame("[DONE]").length;
}

/** The upstream's answer, in process: what `fetch` gives the gateway here instead of a socket's bytes. */
const ANSWER = JSON.stringify({
  id: "chatcmpl-bench",
  object: "chat.completion",
  created: 1760000000,
  model: MODEL,
  choices: [{ index: 0, message: { role: "assistant", content: "Hello" }, finish_reason: "stop" }],
  usage: { prompt_tokens: 21, completion_tokens: 1, total_tokens: 22 },
});
globalThis.fetch = (async (_input: unknown, init?: RequestInit) => {
  const stream = typeof init?.body === "string" && init.body.includes('"stream":true');
  return stream
    ? new Response(STREAM as Uint8Array<ArrayBuffer>, { headers: { "content-type": "text/event-stream" } })
    : new Response(ANSWER, { headers: { "content-type": "application/json" } });
}) as typeof fetch;

const clock = () => Date.now();
const gatewayWith = (sseWriter: SseWriter) =>
  createApp({
    config,
    adapters: createAdapters({ clock, newId, logger: silentLogger }),
    health: createMemoryHealthStore(clock),
    logger: silentLogger,
    clock,
    random: Math.random,
    version: "bench",
    startedAt: clock(),
    sseWriter,
  });
const gateway = gatewayWith(bunSseWriter);
const connections: Connections = { clientAddress: () => undefined, holdOpen() {}, releaseHold() {} };

/** The bare pass-through (bench/bare-proxy.ts) in the same process, against the same in-process upstream. */
const bare = new Hono();
bare.post("/v1/chat/completions", async (c) => {
  const body = await c.req.json();
  const response = await fetch("http://127.0.0.1:1/v1/chat/completions", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    signal: c.req.raw.signal,
  });
  return new Response(response.body, {
    status: response.status,
    headers: { "content-type": response.headers.get("content-type") ?? "application/json" },
  });
});

/** One request through a whole app, its answer read to the end: everything but the sockets. */
function whole(
  fetchApp: (request: Request, env?: Connections) => Response | Promise<Response>,
  path: string,
  stream: boolean,
) {
  const body = JSON_BODY(MODEL, stream);
  return async () => {
    const request = new Request(`http://127.0.0.1:17765${path}`, {
      method: "POST",
      // With its Content-Length, as a socket brings it: the runtime then parses the body from its one buffer.
      headers: {
        "content-type": "application/json",
        "content-length": String(Buffer.byteLength(body)),
        host: "127.0.0.1:17765",
      },
      body,
    });
    const response = await fetchApp(request, connections);
    const text = await response.text();
    if (response.status !== 200) throw new Error(`${response.status}: ${text}`);
    return text.length;
  };
}

async function cpuMicros(run: () => unknown): Promise<number> {
  for (let i = 0; i < requests / 10; i++) await run();
  const before = process.cpuUsage();
  for (let i = 0; i < requests; i++) await run();
  const spent = process.cpuUsage(before);
  return (spent.user + spent.system) / requests;
}

const discard = () => {};
const stages: [string, () => unknown][] = [
  [
    "whole app, JSON: bare pass-through (Hono, fetch, body handed on)",
    whole(bare.fetch, "/v1/chat/completions", false),
  ],
  [
    "whole app, JSON: AISBF /api/mock/chat/completions",
    whole(gateway.fetch, "/api/mock/chat/completions", false),
  ],
  ["whole app, stream: bare pass-through", whole(bare.fetch, "/v1/chat/completions", true)],
  ["whole app, stream: AISBF", whole(gateway.fetch, "/api/mock/chat/completions", true)],
  [
    "whole app, stream: AISBF, standard ReadableStream writer",
    whole(gatewayWith(standardSseWriter).fetch, "/api/mock/chat/completions", true),
  ],
  ["request in: JSON.parse, validation (zod), canonical, upstream body", requestIn],
  ["stream back: 22 SSE events parsed, translated, rendered (pass-through)", streamBack],
  ["observe: trace, metrics, usage (access log off)", observed(monitorWith(silentLogger, false))],
  [
    "observe: + access log at level warn (the bench's level: line skipped)",
    observed(monitorWith(createLogger({ level: "warn", write: discard }), true)),
  ],
  [
    "observe: + access log text line",
    observed(monitorWith(createLogger({ level: "info", write: discard }), true)),
  ],
  [
    "observe: + access log JSON line",
    observed(monitorWith(createLogger({ level: "info", format: "json", write: discard }), true)),
  ],
];
console.log(`AISBF hot-path stages, CPU µs per request, ${requests} runs each (bun ${Bun.version})`);
for (const [name, run] of stages) {
  if (values.stage !== undefined && !name.includes(values.stage)) continue;
  console.log(`${(await cpuMicros(run)).toFixed(2).padStart(8)}  ${name}`);
}
