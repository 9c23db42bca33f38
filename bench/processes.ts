// Processes for the benchmark: start pinned to a core, wait until they answer, read CPU and memory, stop by PID.
import { readdirSync, readFileSync } from "node:fs";

/** Two cores: the load generator and the mock upstream on one, the system under test alone on the other. */
export const LOAD_CPU = "0";
export const SERVER_CPU = "1";

const TICKS_PER_SECOND = 100; // USER_HZ on Linux; /proc reports utime and stime in these.

export interface Started {
  name: string;
  pid: number;
  process: ReturnType<typeof Bun.spawn>;
  output: () => string;
}

const started: Started[] = [];

/** Runs `command` under `taskset -c cpu` (taskset execs it, so the PID is the program's own). */
export function startPinned(
  name: string,
  cpu: string,
  command: string[],
  env: Record<string, string | undefined> = {},
): Started {
  const process = Bun.spawn(["taskset", "-c", cpu, ...command], {
    env: { ...Bun.env, ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  let output = "";
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    for await (const bytes of stream) {
      // Keep the tail only: a chatty server must not grow the benchmark's own memory.
      output = (output + decoder.decode(bytes, { stream: true })).slice(-20_000);
    }
  };
  collect(process.stdout as ReadableStream<Uint8Array>).catch(() => {});
  collect(process.stderr as ReadableStream<Uint8Array>).catch(() => {});
  const entry = { name, pid: process.pid, process, output: () => output };
  started.push(entry);
  return entry;
}

/** Waits until the process printed a line matching `pattern` (e.g. its port). */
export async function waitForOutput(
  entry: Started,
  pattern: RegExp,
  timeoutMs = 15_000,
): Promise<RegExpMatchArray> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const match = pattern.exec(entry.output());
    if (match) return match;
    if (entry.process.exitCode !== null) break;
    await Bun.sleep(5);
  }
  throw new Error(`${entry.name} did not start: ${entry.output().slice(-2000)}`);
}

/** Stops one process by PID (SIGTERM, then SIGKILL after a grace period) and waits for it to exit. */
export async function stop(entry: Started, graceMs = 3_000): Promise<void> {
  const index = started.indexOf(entry);
  if (index >= 0) started.splice(index, 1);
  if (entry.process.exitCode !== null || entry.process.signalCode !== null) return;
  entry.process.kill("SIGTERM");
  const exited = await Promise.race([
    entry.process.exited.then(() => true),
    Bun.sleep(graceMs).then(() => false),
  ]);
  if (!exited) {
    entry.process.kill("SIGKILL");
    await entry.process.exited;
  }
}

/** Stops every process still running, last started first. */
export async function stopAll(): Promise<void> {
  for (const entry of [...started].reverse()) await stop(entry);
}

/** The PID and every descendant (nginx's master and its worker), from /proc. */
export function processTree(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const parent = Number(fields[1]);
      const children = parents.get(parent) ?? [];
      children.push(Number(name));
      parents.set(parent, children);
    } catch {
      // the process ended while we looked
    }
  }
  const tree: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift() as number;
    tree.push(next);
    queue.push(...(parents.get(next) ?? []));
  }
  return tree;
}

/** User + system CPU seconds of a process tree so far. */
export function cpuSeconds(pid: number): number {
  let ticks = 0;
  for (const member of processTree(pid)) {
    try {
      const stat = readFileSync(`/proc/${member}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // Fields 14 and 15 of /proc/<pid>/stat (utime, stime); index 11 and 12 after the command name.
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone
    }
  }
  return ticks / TICKS_PER_SECOND;
}

/** Resident memory of a process tree in MB: current (VmRSS) and the high-water mark (VmHWM). */
export function memoryMB(pid: number): { rss: number; peak: number } {
  let rss = 0;
  let peak = 0;
  for (const member of processTree(pid)) {
    try {
      const status = readFileSync(`/proc/${member}/status`, "utf8");
      rss += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      peak += Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
    } catch {
      // gone
    }
  }
  return { rss: rss / 1024, peak: peak / 1024 };
}
