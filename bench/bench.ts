// `npm run bench`: the same load through direct, nginx, a bare Bun+Hono proxy, Portkey and AISBF; writes RESULTS.md.
// Options: --only id,id (systems to run; direct and bare always run, the ratios need them), --out FILE,
// --quick (only c1 latency, c64, translation and stream latency: a ~1 minute check between changes; the
// table it writes has gaps, so give it --out elsewhere), --saturation (only the saturation lane, bench/saturation.ts:
// an upstream that answers at once, every system on the server core at once; writes its own section of RESULTS.md).
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { commands, type StreamResult, streamLevelPasses, streams, type WrkResult, wrk } from "./lanes.ts";
import { type PairedCpu, pairedCpu } from "./paired.ts";
import { LOAD_CPU, memoryMB, startPinned, stop, stopAll, waitForOutput } from "./processes.ts";
import { type BenchResults, renderResults, type SystemResult } from "./report.ts";
import { saturation } from "./saturation.ts";
import { renderSaturation } from "./saturation-report.ts";
import { type Environment, SYSTEMS } from "./systems.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    only: { type: "string" },
    out: { type: "string" },
    binary: { type: "string" },
    quick: { type: "boolean" },
    saturation: { type: "boolean" },
  },
});
const root = join(import.meta.dir, "..");
const THROUGHPUT_LEVELS = values.quick ? [64] : [16, 64, 256, 512];
const STREAM_LEVELS = values.quick ? [] : [64, 128, 256, 512, 1024, 2048];

function log(message: string) {
  process.stderr.write(`bench: ${message}\n`);
}

async function version(command: string[]): Promise<string> {
  try {
    const run = Bun.spawn(command, { stdout: "pipe", stderr: "pipe" });
    const [out, err] = await Promise.all([new Response(run.stdout).text(), new Response(run.stderr).text()]);
    await run.exited;
    return (out || err).trim().split("\n")[0] ?? "";
  } catch {
    return "missing";
  }
}

/** The compiled binary of the current source: scripts/build --host when present, else bun build --compile. */
async function buildBinary(tmp: string): Promise<string | undefined> {
  if (values.binary) return values.binary;
  const outdir = join(tmp, "dist");
  const script = join(root, "scripts", "build");
  const command = existsSync(script)
    ? ["bash", script, "--host", "--outdir", outdir]
    : [
        process.execPath,
        "build",
        "--compile",
        join(root, "src", "main.ts"),
        "--outfile",
        join(outdir, "aisbf"),
      ];
  log(`building the binary: ${command.join(" ")}`);
  const run = Bun.spawn(command, {
    cwd: root,
    env: { ...Bun.env, PATH: `${join(root, "node_modules", ".bin")}:${Bun.env.PATH}` },
    stdout: "pipe",
    stderr: "pipe",
  });
  const err = await new Response(run.stderr).text();
  if ((await run.exited) !== 0) {
    log(`binary build failed: ${err.slice(-1000)}`);
    return undefined;
  }
  const glob = new Bun.Glob("aisbf*");
  for (const name of glob.scanSync(outdir))
    if (!name.endsWith(".exe") && !name.includes("SHA")) return join(outdir, name);
  return undefined;
}

async function freePort(): Promise<number> {
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
  const port = server.port ?? 0;
  await server.stop(true);
  return port;
}

async function runSystem(env: Environment, system: (typeof SYSTEMS)[number]): Promise<SystemResult> {
  const result: SystemResult = { id: system.id, label: system.label, throughput: [], streamLevels: [] };
  const missing = system.missing(env);
  if (missing) {
    result.missing = missing;
    log(`${system.id}: MISSING (${missing})`);
    return result;
  }
  log(`${system.id}: starting`);
  const running = await system.start(env, await freePort());
  try {
    result.startupMs = running.startupMs;
    await Bun.sleep(500);
    result.idleRssMB = memoryMB(running.entry.pid).rss;
    if (system.id === "aisbf-bin" && env.aisbfBinary)
      result.binaryMB = statSync(env.aisbfBinary).size / 2 ** 20;
    // Warm up (JIT, connection pools), then the lanes.
    await wrk(running, running.openai, 16, "bench-d0");
    result.latency = await wrk(running, running.openai, 1, "bench-d0");
    log(`${system.id}: c1 p50 ${result.latency.p50Us} µs, p99 ${result.latency.p99Us} µs`);
    for (const concurrency of THROUGHPUT_LEVELS) {
      const run: WrkResult = await wrk(running, running.openai, concurrency, "bench-d20");
      result.throughput.push(run);
      log(
        `${system.id}: c${concurrency} ${run.rps.toFixed(0)} req/s, p99 ${(run.p99Us / 1000).toFixed(1)} ms, ` +
          `${run.errors} errors, ${run.cpuUsPerRequest.toFixed(0)} µs CPU/req`,
      );
    }
    if (running.translation) {
      await wrk(running, running.translation, 16, "bench-d0");
      result.translation = await wrk(running, running.translation, 64, "bench-d20");
      log(
        `${system.id}: translation ${result.translation.rps.toFixed(0)} req/s, ${result.translation.cpuUsPerRequest.toFixed(0)} µs CPU/req, ${result.translation.errors} errors`,
      );
    }
    // Warm-up of the stream path: without it the latency lane measured the runtime compiling the stream code (up to
    // 60 ms of JIT work on the server's one core during the lane, optimising compiles of 5-12 ms each).
    await streams(env.bun, running, 128, 2);
    // Latency: 32 streams at a time, starts spread over one stream's length, ten rounds: 320 first tokens, so that
    // the p99 is a percentile rather than the single worst sample (three rounds gave 96).
    result.streamLatency = await streams(env.bun, running, 32, 10, 1_300);
    log(`${system.id}: streams ${JSON.stringify(result.streamLatency)}`);
    for (const level of STREAM_LEVELS) {
      const run: StreamResult = await streams(env.bun, running, level, 1);
      const passed = streamLevelPasses(run);
      result.streamLevels.push({ level, passed, result: run });
      log(
        `${system.id}: ${level} streams: ${passed ? "ok" : "FAIL"} (max chunk ${run.chunkMs.max} ms, ${run.errors} errors)`,
      );
      if (!passed) break;
    }
    result.peakRssMB = memoryMB(running.entry.pid).peak;
    await Bun.sleep(2_000);
    result.afterRssMB = memoryMB(running.entry.pid).rss;
  } catch (thrown) {
    result.failed = thrown instanceof Error ? thrown.message.slice(0, 500) : String(thrown);
    log(`${system.id}: FAILED ${result.failed}`);
  } finally {
    await stop(running.entry);
  }
  return result;
}

/**
 * The CPU budget is judged on a paired run: bare and AISBF loaded at the same time (bench/paired.ts), for those of
 * them that ran cleanly on their own; undefined when bare or every AISBF build is missing.
 */
async function pairedLane(
  env: Environment,
  selected: typeof SYSTEMS,
  systems: SystemResult[],
): Promise<PairedCpu | undefined> {
  const pairable = selected.filter(
    (system) =>
      ["bare", "aisbf", "aisbf-bin"].includes(system.id) &&
      systems.some((result) => result.id === system.id && result.latency && !result.failed),
  );
  if (pairable.length < 2 || !pairable.some((system) => system.id === "bare")) return undefined;
  log(`paired CPU lane: ${pairable.map((system) => system.id).join(", ")} at once`);
  try {
    return await pairedCpu(env, pairable, freePort, log);
  } catch (thrown) {
    log(`paired CPU lane failed: ${thrown instanceof Error ? thrown.message : String(thrown)}`);
    return undefined;
  }
}

/** As biome formats Markdown (its tables aligned): CI checks every file's formatting, RESULTS.md's too. */
function formatMarkdown(path: string): void {
  const biome = join(root, "node_modules", ".bin", "biome");
  if (existsSync(biome))
    Bun.spawnSync([biome, "format", "--write", path], { stdout: "ignore", stderr: "ignore" });
}

async function main(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), "aisbf-bench-"));
  const cleanup = async () => {
    await stopAll();
    rmSync(tmp, { recursive: true, force: true });
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      cleanup().finally(() => process.exit(130));
    });
  }
  try {
    const only = values.only?.split(",");
    const selected = SYSTEMS.filter(
      (system) =>
        // The JavaScript-read floor is the saturation lane's (its streams are where it differs from bare).
        (system.id !== "bare-js" || values.saturation === true) &&
        // Another checkout is measured only when one is named (an A/B run), never reported as missing.
        (system.id !== "aisbf-other" || Bun.env.BENCH_AISBF_OTHER !== undefined) &&
        (!only || ["direct", "bare", "bare-js"].includes(system.id) || only.includes(system.id)),
    );
    const portkeyEntry = join(root, "node_modules", "@portkey-ai", "gateway", "build", "start-server.js");
    const env: Environment = {
      tmp,
      bun: process.execPath,
      node: Bun.which("node") ?? undefined,
      nginx: Bun.which("nginx") ?? (existsSync("/usr/sbin/nginx") ? "/usr/sbin/nginx" : undefined),
      portkeyEntry: existsSync(portkeyEntry) ? portkeyEntry : undefined,
      aisbfBinary: selected.some((system) => system.id === "aisbf-bin") ? await buildBinary(tmp) : undefined,
      mockPort: 0,
    };
    const mock = startPinned("mock", LOAD_CPU, [
      env.bun,
      join(import.meta.dir, "mock-upstream.ts"),
      "--port",
      "0",
    ]);
    env.mockPort = Number((await waitForOutput(mock, /listening (\d+)/))[1]);
    log(`mock upstream on 127.0.0.1:${env.mockPort} (cpu ${LOAD_CPU})`);
    const out = values.out ?? join(import.meta.dir, "RESULTS.md");
    const previous = async () => ((await Bun.file(out).exists()) ? await Bun.file(out).text() : "");
    if (values.saturation) {
      // The direct mock is the floor of the latency lanes; here the floor is the bare pass-through.
      const results = await saturation(
        env,
        selected.filter((system) => system.id !== "direct"),
        freePort,
        log,
      );
      await stop(mock);
      await Bun.write(out, renderSaturation(results, await previous()));
      formatMarkdown(out);
      log(`wrote the saturation section of ${out} (${results.durationS.toFixed(0)} s)`);
      return;
    }
    const started = new Date();
    const systems: SystemResult[] = [];
    for (const system of selected) systems.push(await runSystem(env, system));
    const paired = values.quick ? undefined : await pairedLane(env, selected, systems);
    await stop(mock);
    const results: BenchResults = {
      date: started.toISOString(),
      durationS: (Date.now() - started.getTime()) / 1000,
      machine: {
        cpu: (await Bun.file("/proc/cpuinfo").text()).match(/model name\s*:\s*(.*)/)?.[1] ?? "unknown",
        cores: navigator.hardwareConcurrency,
        kernel: await version(["uname", "-sr"]),
        bun: Bun.version,
        node: env.node ? await version([env.node, "--version"]) : "missing",
        nginx: env.nginx ? await version([env.nginx, "-v"]) : "missing",
        wrk: await version(["wrk", "-v"]),
        portkey: env.portkeyEntry
          ? (await Bun.file(join(portkeyEntry, "..", "..", "package.json")).json()).version
          : "missing",
      },
      wrkSeconds: Number(Bun.env.BENCH_SECONDS ?? 5),
      commands,
      systems,
      paired,
    };
    await Bun.write(out, renderResults(results, await previous()));
    formatMarkdown(out);
    log(`wrote ${out} (${results.durationS.toFixed(0)} s)`);
  } finally {
    await cleanup();
  }
}

await main();
