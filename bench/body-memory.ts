// Memory per large body (not a test): RSS of `aisbf serve` before, at peak and after N concurrent large bodies.
// Usage: bun bench/body-memory.ts [--count 16] [--mib 9.9] [--in-flight-mib 1024]
// The gateway, the mock upstream (answers after 500 ms, so every body is in flight at once) and this client are
// separate processes; only the gateway's memory is read, from /proc/<pid>/status (VmRSS, VmHWM for the peak).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type Started, startPinned, stop, waitForOutput } from "./processes.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    count: { type: "string", default: "16" },
    mib: { type: "string", default: "9.9" },
    "in-flight-mib": { type: "string" },
    /** A non-ASCII text makes JavaScriptCore hold the parsed strings as UTF-16, twice the bytes. */
    text: { type: "string", default: "x" },
    /** Send without Content-Length (chunked). */
    chunked: { type: "boolean", default: false },
  },
});
const count = Number(values.count);
const bodyBytes = Math.floor(Number(values.mib) * 1024 * 1024);
const root = join(import.meta.dir, "..");

function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return { rss: kib("VmRSS") / 1024, peak: kib("VmHWM") / 1024 };
}

function body(): string {
  const head = '{"model":"mock/bench-d500","messages":[{"role":"user","content":"';
  const tail = '"}]}';
  const unit = values.text ?? "x";
  const unitBytes = Buffer.byteLength(unit);
  return head + unit.repeat(Math.floor((bodyBytes - head.length - tail.length) / unitBytes)) + tail;
}

/** The body as a stream of 64 KiB parts: fetch sends it chunked, with no Content-Length. */
function chunked(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(offset, offset + 65536));
      offset += 65536;
    },
  });
}

const dir = mkdtempSync(join(tmpdir(), "aisbf-body-memory-"));
let mock: Started | undefined;
let gateway: Started | undefined;
try {
  mock = startPinned("mock", "0", ["bun", join(root, "bench", "mock-upstream.ts"), "--port", "0"]);
  const mockPort = (await waitForOutput(mock, /listening (\d+)/))[1];
  writeFileSync(
    join(dir, "providers.json"),
    JSON.stringify({
      providers: {
        mock: {
          id: "mock",
          name: "mock",
          type: "openai",
          endpoint: `http://127.0.0.1:${mockPort}/v1`,
          api_key_required: false,
        },
      },
    }),
  );
  writeFileSync(join(dir, "rotations.json"), JSON.stringify({ rotations: {} }));
  const inFlight = values["in-flight-mib"];
  writeFileSync(
    join(dir, "aisbf.json"),
    JSON.stringify({
      max_body_bytes: bodyBytes + 1024,
      ...(inFlight ? { max_body_bytes_in_flight: Math.floor(Number(inFlight) * 1024 * 1024) } : {}),
    }),
  );
  gateway = startPinned(
    "aisbf",
    "1",
    ["bun", join(root, "src", "main.ts"), "serve", "--config-dir", dir, "--port", "0"],
    {
      HOME: dir,
    },
  );
  const url = (await waitForOutput(gateway, /listening on (http:\/\/\S+)/))[1];
  await fetch(`${url}/health`);
  await Bun.sleep(500);
  const before = memory(gateway.pid);
  const text = body();
  const started = performance.now();
  const statuses = await Promise.all(
    Array.from({ length: count }, async () => {
      const response = await fetch(`${url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: values.chunked ? chunked(text) : text,
      });
      await response.arrayBuffer();
      return response.status;
    }),
  );
  const elapsed = performance.now() - started;
  const during = memory(gateway.pid);
  await Bun.sleep(2000);
  const after = memory(gateway.pid);
  const inFlightMiB = (count * bodyBytes) / 1024 / 1024;
  const tally = new Map<number, number>();
  for (const status of statuses) tally.set(status, (tally.get(status) ?? 0) + 1);
  console.log(
    [
      `${count} concurrent bodies of ${(bodyBytes / 1024 / 1024).toFixed(1)} MiB (${inFlightMiB.toFixed(0)} MiB in flight), ${elapsed.toFixed(0)} ms`,
      `statuses: ${[...tally].map(([status, n]) => `${status} x${n}`).join(", ")}`,
      `RSS before ${before.rss.toFixed(0)} MiB, peak ${during.peak.toFixed(0)} MiB (+${(during.peak - before.rss).toFixed(0)}, ${((during.peak - before.rss) / inFlightMiB).toFixed(2)}x the bytes in flight), 2 s after ${after.rss.toFixed(0)} MiB`,
    ].join("\n"),
  );
} finally {
  if (gateway) await stop(gateway);
  if (mock) await stop(mock);
  rmSync(dir, { recursive: true, force: true });
}
