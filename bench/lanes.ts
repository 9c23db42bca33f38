// The lanes: wrk runs (latency, throughput, translation) and stream-client runs, each with CPU read from /proc.
import { join } from "node:path";
import { cpuSeconds, LOAD_CPU } from "./processes.ts";
import { JSON_BODY, type RunningSystem, type Target } from "./systems.ts";

export interface WrkResult {
  concurrency: number;
  requests: number;
  rps: number;
  errors: number;
  errorRate: number;
  p50Us: number;
  p99Us: number;
  /** Server CPU (user + system, whole process tree) per completed request, in µs. */
  cpuUsPerRequest: number;
}

export interface StreamResult {
  streams: number;
  completed: number;
  errors: number;
  errorSamples: string[];
  ttftMs: { p50: number; p99: number };
  chunkMs: { p50: number; p99: number; max: number };
  chunks: number;
}

export const WRK_SECONDS = Number(Bun.env.BENCH_SECONDS ?? 5);
const LUA = join(import.meta.dir, "wrk-post.lua");
export const commands: string[] = [];

function remember(command: string) {
  if (!commands.includes(command)) commands.push(command);
}

export async function wrk(
  system: RunningSystem,
  target: Target,
  concurrency: number,
  model: string,
  options: { stream?: boolean; seconds?: number; body?: string } = {},
): Promise<WrkResult> {
  const seconds = options.seconds ?? WRK_SECONDS;
  const url = `${system.baseUrl}${target.chatPath}`;
  const args = [
    "taskset",
    "-c",
    LOAD_CPU,
    "wrk",
    "-t1",
    `-c${concurrency}`,
    `-d${seconds}s`,
    "--timeout",
    "5s",
    "-s",
    LUA,
    url,
  ];
  remember(
    `BENCH_BODY='{"model":"<model>",...}' BENCH_HEADERS='<headers>' taskset -c ${LOAD_CPU} wrk -t1 -c<n> ` +
      `-d${WRK_SECONDS}s --timeout 5s -s bench/wrk-post.lua <url>`,
  );
  const headers = Object.entries(target.headers)
    .map(([name, value]) => `${name}: ${value}`)
    .join("\n");
  const cpuBefore = cpuSeconds(system.entry.pid);
  const run = Bun.spawn(args, {
    env: {
      ...Bun.env,
      BENCH_BODY: options.body ?? JSON_BODY(model, options.stream === true),
      BENCH_HEADERS: headers,
    },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err] = await Promise.all([new Response(run.stdout).text(), new Response(run.stderr).text()]);
  await run.exited;
  const cpu = cpuSeconds(system.entry.pid) - cpuBefore;
  const line = /BENCH_JSON (\{.*\})/.exec(out)?.[1];
  if (!line) throw new Error(`wrk failed: ${out}${err}`);
  const parsed = JSON.parse(line) as Record<string, number>;
  const value = (key: string) => parsed[key] ?? 0;
  const errors =
    value("connect_errors") +
    value("read_errors") +
    value("write_errors") +
    value("status_errors") +
    value("timeouts");
  const requests = value("requests");
  const ok = Math.max(1, requests - value("status_errors"));
  return {
    concurrency,
    requests,
    rps: requests / (value("duration_us") / 1e6),
    errors,
    errorRate: requests > 0 ? errors / requests : 1,
    p50Us: value("p50_us"),
    p99Us: value("p99_us"),
    cpuUsPerRequest: (cpu * 1e6) / ok,
  };
}

export async function streams(
  bun: string,
  system: RunningSystem,
  concurrency: number,
  rounds: number,
  staggerMs = 0,
  shape: { model: string; deltas: number } = { model: "bench-n64-i20", deltas: 64 },
): Promise<StreamResult> {
  const args = [
    "taskset",
    "-c",
    LOAD_CPU,
    bun,
    join(import.meta.dir, "stream-client.ts"),
    "--url",
    `${system.baseUrl}${system.openai.chatPath}`,
    "--model",
    shape.model,
    "--deltas",
    String(shape.deltas),
    "--concurrency",
    String(concurrency),
    "--rounds",
    String(rounds),
    "--stagger-ms",
    String(staggerMs),
    ...Object.entries(system.openai.headers).flatMap(([name, value]) => ["--header", `${name}: ${value}`]),
  ];
  remember(
    "taskset -c 0 bun bench/stream-client.ts --url <url> --model bench-n64-i20 --concurrency <n> --rounds <r> --stagger-ms <s>",
  );
  // Bun's fetch holds at most 256 requests in flight unless told otherwise; the client must not be the limit.
  const run = Bun.spawn(args, {
    env: { ...Bun.env, BUN_CONFIG_MAX_HTTP_REQUESTS: "65535" },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err] = await Promise.all([new Response(run.stdout).text(), new Response(run.stderr).text()]);
  await run.exited;
  const line = out.trim().split("\n").at(-1) ?? "";
  try {
    return JSON.parse(line) as StreamResult;
  } catch {
    throw new Error(`stream client failed: ${out}${err}`);
  }
}

/** A streaming level passes when every stream completed and no chunk spent over 100 ms in transit. */
export function streamLevelPasses(result: StreamResult): boolean {
  return result.errors === 0 && result.completed === result.streams && result.chunkMs.max <= 100;
}
