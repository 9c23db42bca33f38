// The in-flight body budget: bodies held by requests in flight (until their answer is sent) count against
// max_body_bytes_in_flight; beyond it a 503 with Retry-After in OpenAI's shape, before the body is read.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { buildGateway, type InProcessGateway, openaiProvider } from "./helpers/gateway.ts";
import {
  fixture,
  jsonResponse,
  type MockUpstream,
  sseEventsOf,
  sseResponse,
  startMock,
} from "./helpers/mock-upstream.ts";

const BUDGET = 1_000;
const completion = fixture("openai", "chat-completions-text-httprr.json");
const events = sseEventsOf(fixture("openai", "chat-completions-stream-include-usage.sse"));

let upstream: MockUpstream;
let gw: InProcessGateway;
let release: () => void = () => {};

beforeAll(() => {
  upstream = startMock(async (request) => {
    const body = request.body as { model?: string; stream?: boolean };
    if (body.model === "held") await new Promise<void>((resolve) => (release = resolve));
    return body.stream ? sseResponse(events, { delayMs: 100 }) : jsonResponse(completion);
  });
  gw = buildGateway({
    providers: { openai: openaiProvider("openai", `${upstream.url}/v1`) },
    server: { max_body_bytes_in_flight: BUDGET },
  });
});
afterAll(async () => {
  await upstream.stop();
});

/** A chat request of about `bytes` bytes (the message is padded). */
function chat(model: string, bytes: number, stream = false): string {
  const base = JSON.stringify({
    model: `openai/${model}`,
    stream,
    messages: [{ role: "user", content: "" }],
  });
  return base.replace('"content":""', `"content":"${"x".repeat(Math.max(0, bytes - base.length))}"`);
}

function post(body: BodyInit) {
  return gw.app.request("/v1/chat/completions", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
}

function chunked(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  return new ReadableStream({
    start(controller) {
      for (let i = 0; i < bytes.length; i += 100) controller.enqueue(bytes.subarray(i, i + 100));
      controller.close();
    },
  });
}

async function expectBusy(response: Response) {
  expect(response.status).toBe(503);
  expect(response.headers.get("retry-after")).toBe("1");
  expect(await response.json()).toEqual({
    error: {
      message: "The gateway is receiving too many large requests at once; retry in a moment",
      type: "api_error",
      code: "server_busy",
      param: null,
    },
  });
}

test("a body that would pass the budget while another holds it: 503 with Retry-After, served once it is free", async () => {
  upstream.requests.length = 0;
  const held = post(chat("held", 800));
  while (upstream.requests.length === 0) await Bun.sleep(5);
  await expectBusy(await post(chat("fast", 800)));
  // Counted as it arrives when there is no Content-Length.
  await expectBusy(await post(chunked(chat("fast", 800))));
  // Small bodies still fit beside it.
  expect((await post(chat("fast", 150))).status).toBe(200);
  release();
  expect((await held).status).toBe(200);
  expect((await post(chat("fast", 800))).status).toBe(200);
  expect((await post(chunked(chat("fast", 800)))).status).toBe(200);
  expect(upstream.requests).toHaveLength(4);
});

test("a body larger than the whole budget is let through when it is alone (max_body_bytes bounds it)", async () => {
  expect((await post(chat("fast", 3 * BUDGET))).status).toBe(200);
  expect((await post(chunked(chat("fast", 3 * BUDGET)))).status).toBe(200);
});

test("a stream holds its body's bytes until it ends", async () => {
  const stream = await post(chat("fast", 800, true));
  expect(stream.status).toBe(200);
  await expectBusy(await post(chat("fast", 800)));
  await stream.text();
  expect((await post(chat("fast", 800))).status).toBe(200);
});

test("a refused request gives its bytes back (the budget does not leak)", async () => {
  for (let i = 0; i < 5; i++) {
    expect((await post(chat("unknown-provider/m", 900).replace("openai/", ""))).status).toBe(404);
    expect((await post(`${chat("fast", 900).slice(0, -1)}`)).status).toBe(400);
  }
  expect((await post(chat("fast", 900))).status).toBe(200);
});
