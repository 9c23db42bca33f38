// Streaming load: N concurrent SSE streams through one system; time to first token and each chunk's time in transit.
//
// The mock stamps every delta's text with its send time (`t<ms>;`), so a chunk's delay is receive time minus that
// stamp; the same machine's clock on both sides. Prints one JSON line of results.
// Usage: bun bench/stream-client.ts --url U --concurrency N --rounds R --deltas 64 [--stagger-ms S] [--header k:v ...]
//        --model M
import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    url: { type: "string" },
    model: { type: "string" },
    concurrency: { type: "string" },
    rounds: { type: "string" },
    deltas: { type: "string" },
    "timeout-ms": { type: "string" },
    "stagger-ms": { type: "string" },
    header: { type: "string", multiple: true },
  },
});

const url = values.url ?? "";
const concurrency = Number(values.concurrency ?? 1);
const rounds = Number(values.rounds ?? 1);
const deltas = Number(values.deltas ?? 64);
const timeoutMs = Number(values["timeout-ms"] ?? 30_000);
// Spreads the workers' first starts over this many ms, so latency is not measured in a connect burst.
const staggerMs = Number(values["stagger-ms"] ?? 0);
const headers: Record<string, string> = { "content-type": "application/json" };
for (const pair of values.header ?? []) {
  const colon = pair.indexOf(":");
  headers[pair.slice(0, colon).trim().toLowerCase()] = pair.slice(colon + 1).trim();
}
const body = JSON.stringify({
  model: values.model ?? "bench-n64-i20",
  stream: true,
  max_tokens: 256,
  messages: [{ role: "user", content: "Count slowly." }],
});

const nowMs = () => performance.timeOrigin + performance.now();
const STAMP = /t(\d+\.\d+);/g;

const ttfts: number[] = [];
const chunkDelays: number[] = [];
let completed = 0;
let errors = 0;
const errorSamples = new Set<string>();

async function oneStream(): Promise<void> {
  const started = nowMs();
  let seen = 0;
  try {
    const response = await fetch(url, {
      method: "POST",
      headers,
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
    const decoder = new TextDecoder();
    let carry = "";
    for await (const bytes of response.body) {
      const received = nowMs();
      carry += decoder.decode(bytes, { stream: true });
      const end = carry.lastIndexOf("\n\n");
      if (end < 0) continue;
      const complete = carry.slice(0, end);
      carry = carry.slice(end + 2);
      for (const match of complete.matchAll(STAMP)) {
        if (seen === 0) ttfts.push(received - started);
        chunkDelays.push(received - Number(match[1]));
        seen += 1;
      }
    }
    if (seen !== deltas) throw new Error(`got ${seen} of ${deltas} deltas`);
    completed += 1;
  } catch (thrown) {
    errors += 1;
    if (errorSamples.size < 3) errorSamples.add(thrown instanceof Error ? thrown.message : String(thrown));
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function worker(index: number): Promise<void> {
  if (staggerMs > 0) await Bun.sleep((index * staggerMs) / concurrency);
  for (let round = 0; round < rounds; round += 1) await oneStream();
}

await Promise.all(Array.from({ length: concurrency }, (_, index) => worker(index)));
ttfts.sort((a, b) => a - b);
chunkDelays.sort((a, b) => a - b);
const round3 = (n: number) => Math.round(n * 1000) / 1000;
process.stdout.write(
  `${JSON.stringify({
    streams: concurrency * rounds,
    completed,
    errors,
    errorSamples: [...errorSamples],
    ttftMs: { p50: round3(percentile(ttfts, 50)), p99: round3(percentile(ttfts, 99)) },
    chunkMs: {
      p50: round3(percentile(chunkDelays, 50)),
      p99: round3(percentile(chunkDelays, 99)),
      max: round3(chunkDelays.at(-1) ?? Number.NaN),
    },
    chunks: chunkDelays.length,
  })}\n`,
);
