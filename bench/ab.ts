// A paired A/B of two trees' CPU per request: the bare pass-through, this tree's AISBF and another checkout's
// (BENCH_AISBF_OTHER=/path/to/checkout, e.g. a `git worktree add --detach` of the base commit) on the server core at
// once under one wrk each, as npm run bench's paired lane does; prints each one's median over the rounds.
// Usage: BENCH_AISBF_OTHER=../base bun bench/ab.ts     (IDS=bare,aisbf,aisbf-other to choose the systems)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { median, PAIRED_ROUNDS, pairedCpu } from "./paired.ts";
import { LOAD_CPU, startPinned, stop, stopAll, waitForOutput } from "./processes.ts";
import { type Environment, SYSTEMS } from "./systems.ts";

if (!Bun.env.BENCH_AISBF_OTHER) {
  console.error("ab: set BENCH_AISBF_OTHER to the other checkout (its node_modules installed or linked)");
  process.exit(2);
}
const ids = (Bun.env.IDS ?? "bare,aisbf,aisbf-other").split(",");
const tmp = mkdtempSync(join(tmpdir(), "aisbf-ab-"));
const env: Environment = {
  tmp,
  bun: process.execPath,
  node: undefined,
  nginx: undefined,
  portkeyEntry: undefined,
  aisbfBinary: undefined,
  mockPort: 0,
};

async function freePort(): Promise<number> {
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
  const port = server.port ?? 0;
  await server.stop(true);
  return port;
}

const mock = startPinned("mock", LOAD_CPU, [
  env.bun,
  join(import.meta.dir, "mock-upstream.ts"),
  "--port",
  "0",
]);
try {
  env.mockPort = Number((await waitForOutput(mock, /listening (\d+)/))[1]);
  const systems = SYSTEMS.filter((system) => ids.includes(system.id));
  const cpu = await pairedCpu(env, systems, freePort, (message) => console.error(`ab: ${message}`));
  console.log(`CPU µs per request, median of ${PAIRED_ROUNDS} paired rounds (JSON, c64, 20 ms mock):`);
  for (const id of ids) {
    const rounds = (cpu[id] ?? []).map((value) => value.toFixed(0)).join(" ");
    console.log(`${id.padEnd(12)} ${median(cpu[id])?.toFixed(1) ?? "-"}   (${rounds})`);
  }
} finally {
  await stop(mock);
  await stopAll();
  rmSync(tmp, { recursive: true, force: true });
}
