// The benchmark's upstream: OpenAI chat completions and Anthropic Messages, JSON or SSE, shaped by the model name.
//
// The model name carries the scenario so every proxy forwards it unchanged: `bench-d20` answers after 20 ms,
// `bench-n64-i20` streams 64 deltas 20 ms apart. Each streamed delta's text is `t<send time in ms>;` so the
// client measures how long every chunk spent in the proxy (same machine, same clock).
// Usage: bun bench/mock-upstream.ts --port P   (prints "listening <port>" on stdout)
import { parseArgs } from "node:util";

const { values } = parseArgs({ args: Bun.argv.slice(2), options: { port: { type: "string" } } });

const encoder = new TextEncoder();

interface Scenario {
  delayMs: number;
  deltas: number;
  intervalMs: number;
}

function scenarioOf(model: string): Scenario {
  const number = (key: string, fallback: number) => {
    const match = new RegExp(`-${key}(\\d+)`).exec(model);
    return match?.[1] ? Number(match[1]) : fallback;
  };
  return { delayMs: number("d", 0), deltas: number("n", 64), intervalMs: number("i", 20) };
}

/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes on this machine. */
function nowMs(): string {
  return (performance.timeOrigin + performance.now()).toFixed(3);
}

const sleep = (ms: number) => (ms > 0 ? Bun.sleep(ms) : Promise.resolve());

function openaiCompletion(model: string): string {
  return JSON.stringify({
    id: "chatcmpl-bench0000000000000000000000",
    object: "chat.completion",
    created: 1_760_000_000,
    model,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: "Hello! I'm doing well, thanks for asking. How are you doing today?",
          refusal: null,
          annotations: [],
        },
        logprobs: null,
        finish_reason: "stop",
      },
    ],
    usage: { prompt_tokens: 12, completion_tokens: 17, total_tokens: 29 },
    service_tier: "default",
    system_fingerprint: "fp_bench",
  });
}

function anthropicMessage(model: string): string {
  return JSON.stringify({
    model,
    id: "msg_bench000000000000000000",
    type: "message",
    role: "assistant",
    content: [{ type: "text", text: "Hello! I'm doing well, thanks for asking. How are you doing today?" }],
    stop_reason: "end_turn",
    stop_sequence: null,
    usage: {
      input_tokens: 12,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      output_tokens: 17,
    },
  });
}

/** An SSE body whose events come from `event(i)`, the first at once, the rest `intervalMs` apart. */
function sseBody(count: number, intervalMs: number, event: (index: number) => string): ReadableStream {
  let index = 0;
  return new ReadableStream({
    async pull(controller) {
      if (index > 0) await sleep(intervalMs);
      controller.enqueue(encoder.encode(event(index)));
      index += 1;
      if (index >= count) controller.close();
    },
  });
}

function openaiStream(model: string, scenario: Scenario): ReadableStream {
  const head = `{"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1760000000,"model":"${model}","choices":[{"index":0,`;
  const total = scenario.deltas + 1;
  return sseBody(total, scenario.intervalMs, (index) => {
    if (index === total - 1) {
      return `data: ${head}"delta":{},"logprobs":null,"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n`;
    }
    const role = index === 0 ? `"role":"assistant",` : "";
    return `data: ${head}"delta":{${role}"content":"t${nowMs()};"},"logprobs":null,"finish_reason":null}]}\n\n`;
  });
}

function anthropicStream(model: string, scenario: Scenario): ReadableStream {
  const total = scenario.deltas + 1;
  return sseBody(total, scenario.intervalMs, (index) => {
    const delta = `event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"t${nowMs()};"}}\n\n`;
    if (index === 0) {
      return (
        `event: message_start\ndata: {"type":"message_start","message":{"id":"msg_bench","type":"message","role":"assistant","model":"${model}","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":12,"output_tokens":1}}}\n\n` +
        `event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n` +
        delta
      );
    }
    if (index < total - 1) return delta;
    return (
      `event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n` +
      `event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":${scenario.deltas}}}\n\n` +
      `event: message_stop\ndata: {"type":"message_stop"}\n\n`
    );
  });
}

const SSE_HEADERS = { "content-type": "text/event-stream", "cache-control": "no-cache" };
const JSON_HEADERS = { "content-type": "application/json" };

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: Number(values.port ?? 0),
  idleTimeout: 0,
  async fetch(request) {
    const path = new URL(request.url).pathname;
    const anthropic = path.endsWith("/messages");
    if (request.method !== "POST" || (!anthropic && !path.endsWith("/chat/completions"))) {
      return new Response("not found", { status: 404 });
    }
    const body = (await request.json()) as { model?: string; stream?: boolean };
    const model = body.model ?? "bench";
    const scenario = scenarioOf(model);
    await sleep(scenario.delayMs);
    if (body.stream) {
      const stream = anthropic ? anthropicStream(model, scenario) : openaiStream(model, scenario);
      return new Response(stream, { headers: SSE_HEADERS });
    }
    return new Response(anthropic ? anthropicMessage(model) : openaiCompletion(model), {
      headers: JSON_HEADERS,
    });
  },
});

process.stdout.write(`listening ${server.port}\n`);
