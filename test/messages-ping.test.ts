// Messages streams keep the client's connection alive while the upstream is silent: `event: ping` into each
// silence, as Anthropic's own stream does, for a forwarded Anthropic stream and a translated OpenAI one alike.
import { afterAll, describe, expect, test } from "bun:test";
import type { ProviderConfig } from "../src/config/schema.ts";
import { fixtureText, type MockUpstream, sseEventsOf, startMock } from "../src/providers/testing.ts";
import { openaiProvider, startGateway, type TestGateway } from "./helpers/gateway.ts";

const PING_MS = 100;
const PAUSE_MS = 650;

/** The recorded events with a silence after the first `before` of them, as a model that stops to think. */
function pausedResponse(events: string[], before: number): Response {
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      for (const event of events.slice(0, before)) controller.enqueue(encoder.encode(event));
      await Bun.sleep(PAUSE_MS);
      for (const event of events.slice(before)) controller.enqueue(encoder.encode(event));
      controller.close();
    },
  });
  return new Response(stream, { headers: { "content-type": "text/event-stream" } });
}

const anthropicEvents = sseEventsOf(fixtureText("anthropic", "messages-stream-text-httprr.sse"));
const openaiEvents = sseEventsOf(fixtureText("openai", "chat-completions-stream-include-usage.sse"));
// After the first content (the commit point): message_start, the block's start and its first delta.
const anthropic: MockUpstream = startMock(() => pausedResponse(anthropicEvents, 3));
// The role chunk and the first text chunk.
const openai: MockUpstream = startMock(() => pausedResponse(openaiEvents, 2));

const anthropicProvider: ProviderConfig = {
  id: "anthropic",
  name: "Anthropic",
  type: "anthropic",
  endpoint: anthropic.url,
  api_key_required: true,
  api_key: "sk-ant-test-canary-0001",
  models: [{ name: "claude-sonnet-4-5", max_tokens: 1024 }],
};

const gateway: TestGateway = startGateway({
  providers: {
    anthropic: anthropicProvider,
    openai: openaiProvider("openai", openai.url, { models: [{ name: "gpt-4.1-mini" }] }),
  },
  server: { stream_ping_ms: PING_MS },
});
const quiet: TestGateway = startGateway({
  providers: { openai: openaiProvider("openai", openai.url, { models: [{ name: "gpt-4.1-mini" }] }) },
  server: { stream_ping_ms: 0 },
});

afterAll(async () => {
  await Promise.all([gateway.stop(), quiet.stop(), anthropic.stop(), openai.stop()]);
});

/** The stream's event names in order, read to its end. */
async function eventNames(url: string, model: string): Promise<string[]> {
  const response = await fetch(`${url}/v1/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
    body: JSON.stringify({
      model,
      max_tokens: 64,
      stream: true,
      messages: [{ role: "user", content: "Hi" }],
    }),
  });
  expect(response.status).toBe(200);
  const text = await response.text();
  return [...text.matchAll(/^event: (\S+)$/gm)].map((match) => match[1] as string);
}

/** Pings between the first text delta and the message's end, and every ping's place. */
function pingsInSilence(names: string[]): number {
  const firstDelta = names.indexOf("content_block_delta");
  const lastDelta = names.lastIndexOf("content_block_delta");
  return names.slice(firstDelta, lastDelta).filter((name) => name === "ping").length;
}

describe("ping while the upstream is silent", () => {
  test("a forwarded Anthropic stream: pings fill the silence; none before message_start or after message_stop", async () => {
    const names = await eventNames(gateway.url, "anthropic/claude-sonnet-4-5");
    expect(names[0]).toBe("message_start");
    expect(names.at(-1)).toBe("message_stop");
    // 650 ms of silence at one ping per 100 ms tick with nothing sent: at least 4, whatever the scheduling.
    expect(pingsInSilence(names)).toBeGreaterThanOrEqual(4);
    expect(pingsInSilence(names)).toBeLessThanOrEqual(7);
  });

  test("a translated OpenAI stream: the same pings, between whole events", async () => {
    const names = await eventNames(gateway.url, "openai/gpt-4.1-mini");
    expect(names.slice(0, 2)).toEqual(["message_start", "ping"]);
    expect(names.at(-1)).toBe("message_stop");
    expect(pingsInSilence(names)).toBeGreaterThanOrEqual(4);
  });

  test("stream_ping_ms: 0 sends none but the one after message_start", async () => {
    const names = await eventNames(quiet.url, "openai/gpt-4.1-mini");
    expect(names.filter((name) => name === "ping")).toHaveLength(1);
    expect(pingsInSilence(names)).toBe(0);
  });
});
