// The paired CPU lane: the bare pass-through and AISBF (source and binary) on the server core at the same time,
// each under its own wrk (64 connections, 20 ms mock), several rounds; CPU per request from /proc for each. Whatever
// else this shared machine does during a round, it does to all of them alike, so their ratio holds far better than
// one between runs made seconds or minutes apart (sequential CPU figures of the same build moved by ±20% here).

import { wrk } from "./lanes.ts";
import { stop } from "./processes.ts";
import type { Environment, RunningSystem, System } from "./systems.ts";

export const PAIRED_ROUNDS = 5;
const PAIRED_CONCURRENCY = 64;

/** CPU µs per request for each system id, one figure per round. */
export type PairedCpu = Record<string, number[]>;

export async function pairedCpu(
  env: Environment,
  systems: System[],
  freePort: () => Promise<number>,
  log: (message: string) => void,
): Promise<PairedCpu> {
  const running: { id: string; system: RunningSystem }[] = [];
  try {
    for (const system of systems)
      running.push({ id: system.id, system: await system.start(env, await freePort()) });
    const all = () =>
      Promise.all(running.map(({ system }) => wrk(system, system.openai, PAIRED_CONCURRENCY, "bench-d20")));
    // Warm-up long enough for the JIT to settle (tiering goes on for ~10 s under this load).
    await all();
    await all();
    const out: PairedCpu = Object.fromEntries(running.map(({ id }) => [id, [] as number[]]));
    for (let round = 1; round <= PAIRED_ROUNDS; round++) {
      const runs = await all();
      runs.forEach((run, index) => {
        const id = running[index]?.id as string;
        out[id]?.push(run.errors === 0 ? run.cpuUsPerRequest : Number.NaN);
      });
      log(
        `paired round ${round}: ${running.map(({ id }) => `${id} ${out[id]?.at(-1)?.toFixed(0)} µs`).join(", ")}`,
      );
    }
    return out;
  } finally {
    for (const { system } of running) await stop(system.entry);
  }
}

/** The middle value of the rounds (robust to one disturbed round). */
export function median(values: number[] | undefined): number | undefined {
  const sorted = (values ?? []).filter((value) => !Number.isNaN(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  return sorted[Math.floor(sorted.length / 2)];
}
