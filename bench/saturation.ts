// The saturation lane: an upstream that answers at once (JSON, or 20 SSE chunks with no gap), so that what each
// system costs itself decides, not the upstream's delay. Every system is started at the start, all on the server
// core; each lane then loads one system at a time, every system in turn, for several rounds with the order rotated,
// so that a disturbance of this shared machine lands on different systems in different rounds and the medians
// hold. OpenAI to OpenAI, OpenAI in to Anthropic out (translation), Responses in to OpenAI chat out, Anthropic
// Messages in to Anthropic out (a pass-through, against bare's own Messages pass-through) and Messages in to OpenAI
// chat out. A few lanes run paired as well (bare and AISBF loaded at once), for CPU ratios that hold.
import { type StreamResult, streams, wrk } from "./lanes.ts";
import { stop } from "./processes.ts";
import {
  type Environment,
  MESSAGES_BODY,
  RESPONSES_BODY,
  type RunningSystem,
  type System,
  type Target,
} from "./systems.ts";

export const SATURATION_ROUNDS = Math.max(3, Number(Bun.env.BENCH_SAT_ROUNDS ?? 3));
export const SATURATION_SECONDS = Number(Bun.env.BENCH_SAT_SECONDS ?? 3);
export const SATURATION_LEVELS = [1, 16, 64, 256];
/** The mock's scenario names (bench/mock-upstream.ts): no delay; 20 deltas with no interval. */
export const JSON_MODEL = "bench-d0";
export const STREAM_SHAPE = { model: "bench-n20-i0", deltas: 20 };
export const TTFT_STREAMS = Number(Bun.env.BENCH_TTFT_STREAMS ?? 1_000);

export type Route = "openai" | "translation" | "responses" | "messages" | "messages-openai";

export interface Lane {
  route: Route;
  stream: boolean;
  concurrency: number;
}

const lanesOf = (route: Route, levels: number[]): Lane[] =>
  [false, true].flatMap((stream) => levels.map((concurrency) => ({ route, stream, concurrency })));

export const laneKey = (lane: Lane) =>
  `${lane.route}/${lane.stream ? "stream" : "json"}/c${lane.concurrency}`;

/** BENCH_SAT_LANES=openai/stream/c64,... keeps only those lanes: a quick check between changes. */
const chosen = Bun.env.BENCH_SAT_LANES?.split(",");

export const LANES: Lane[] = [
  ...lanesOf("openai", SATURATION_LEVELS),
  ...lanesOf("translation", [16, 64]),
  ...lanesOf("responses", [16, 64]),
  ...lanesOf("messages", [16, 64]),
  ...lanesOf("messages-openai", [16, 64]),
].filter((lane) => !chosen || chosen.includes(laneKey(lane)));

/**
 * Lanes also run paired: bare and every AISBF build loaded at the same time, each under its own wrk, so that what
 * the shared machine does during a round hits all alike and the CPU ratio holds (one system at a time, ratios moved
 * by ±20-40% between runs here).
 */
export const PAIRED_LANES: Lane[] = (
  [
    { route: "openai", stream: false, concurrency: 16 },
    { route: "openai", stream: true, concurrency: 16 },
    { route: "messages", stream: true, concurrency: 16 },
  ] satisfies Lane[]
).filter((lane) => !chosen || chosen.includes(laneKey(lane)));
export const PAIRED_SATURATION_ROUNDS = 5;

export interface LaneRun {
  rps: number;
  cpuUs: number;
  errors: number;
  requests: number;
}

export interface SaturationResults {
  date: string;
  durationS: number;
  rounds: number;
  seconds: number;
  systems: { id: string; label: string; unavailable?: string }[];
  /** By system id, then lane key: one run per round. */
  runs: Record<string, Record<string, LaneRun[]>>;
  /** Time to first token at c=1 over TTFT_STREAMS streams, by system id. */
  ttft: Record<string, StreamResult>;
  /** The paired lanes: by lane key, then system id, CPU µs per request per round. */
  paired: Record<string, Record<string, number[]>>;
}

function targetOf(system: RunningSystem, route: Route): Target | undefined {
  switch (route) {
    case "openai":
      return system.openai;
    case "translation":
      return system.translation;
    case "responses":
      return system.responses;
    case "messages":
      return system.messages;
    case "messages-openai":
      return system.messagesTranslation;
  }
}

/** The request body of a lane: its client dialect's form of the one conversation. */
function bodyOf(route: Route, model: string, stream: boolean): string | undefined {
  if (route === "responses") return RESPONSES_BODY(model, stream);
  if (route === "messages" || route === "messages-openai") return MESSAGES_BODY(model, stream);
  return undefined;
}

async function runLane(system: RunningSystem, lane: Lane, seconds: number): Promise<LaneRun | undefined> {
  const target = targetOf(system, lane.route);
  if (!target) return undefined;
  const model = lane.stream ? STREAM_SHAPE.model : JSON_MODEL;
  const run = await wrk(system, target, lane.concurrency, model, {
    stream: lane.stream,
    seconds,
    body: bodyOf(lane.route, model, lane.stream),
  });
  return { rps: run.rps, cpuUs: run.cpuUsPerRequest, errors: run.errors, requests: run.requests };
}

/** One paired lane: a warm-up round, then every round with all of `running` loaded at once. */
async function pairedLane(
  running: { id: string; system: RunningSystem }[],
  lane: Lane,
  results: SaturationResults,
  log: (message: string) => void,
): Promise<void> {
  const all = () => Promise.all(running.map(({ system }) => runLane(system, lane, SATURATION_SECONDS)));
  await all();
  const byId: Record<string, number[]> = {};
  results.paired[laneKey(lane)] = byId;
  for (let round = 1; round <= PAIRED_SATURATION_ROUNDS; round++) {
    const runs = await all();
    const line = running.map(({ id }, index) => {
      const run = runs[index];
      const cpu = run && run.errors === 0 ? run.cpuUs : Number.NaN;
      byId[id] = [...(byId[id] ?? []), cpu];
      return `${id} ${fmtUs(cpu)}`;
    });
    log(`saturation paired round ${round} ${laneKey(lane)}: ${line.join(", ")}`);
  }
}

const fmtUs = (value: number) => (Number.isNaN(value) ? "failed" : `${value.toFixed(0)}µs`);

/** The systems in round `round`'s order: rotated by one each round. */
function rotated<T>(items: T[], round: number): T[] {
  const shift = round % Math.max(1, items.length);
  return [...items.slice(shift), ...items.slice(0, shift)];
}

export async function saturation(
  env: Environment,
  systems: System[],
  freePort: () => Promise<number>,
  log: (message: string) => void,
): Promise<SaturationResults> {
  const started = Date.now();
  const results: SaturationResults = {
    date: new Date(started).toISOString(),
    durationS: 0,
    rounds: SATURATION_ROUNDS,
    seconds: SATURATION_SECONDS,
    systems: [],
    runs: {},
    ttft: {},
    paired: {},
  };
  const running: { id: string; system: RunningSystem }[] = [];
  try {
    for (const system of systems) {
      const entry: SaturationResults["systems"][number] = { id: system.id, label: system.label };
      results.systems.push(entry);
      entry.unavailable = system.missing(env);
      if (entry.unavailable) continue;
      try {
        running.push({ id: system.id, system: await system.start(env, await freePort()) });
        results.runs[system.id] = {};
      } catch (thrown) {
        entry.unavailable = `did not start: ${thrown instanceof Error ? thrown.message.slice(0, 300) : thrown}`;
      }
    }
    log(`saturation: ${running.map(({ id }) => id).join(", ")} started on the server core`);
    // Warm-up: every path each system serves, JSON and stream, until the JIT has settled.
    for (const { system } of running)
      for (const lane of LANES.filter((lane) => lane.concurrency === 16 || chosen !== undefined))
        await runLane(system, lane, 2);
    for (let round = 0; round < SATURATION_ROUNDS; round++) {
      for (const lane of LANES) {
        const line: string[] = [];
        for (const { id, system } of rotated(running, round)) {
          const run = await runLane(system, lane, SATURATION_SECONDS);
          if (!run) continue;
          const byLane = results.runs[id] as Record<string, LaneRun[]>;
          byLane[laneKey(lane)] = [...(byLane[laneKey(lane)] ?? []), run];
          line.push(
            `${id} ${run.rps.toFixed(0)}/s ${run.cpuUs.toFixed(0)}µs${run.errors ? ` ${run.errors}err` : ""}`,
          );
        }
        log(`saturation round ${round + 1} ${laneKey(lane)}: ${line.join(", ")}`);
      }
    }
    const pairable = running.filter(({ id }) => id.startsWith("bare") || id.startsWith("aisbf"));
    if (pairable.length >= 2 && pairable.some(({ id }) => id === "bare")) {
      for (const lane of PAIRED_LANES) await pairedLane(pairable, lane, results, log);
    }
    // Time to first token at c=1 (Portkey's 30 ms per stream would make this lane minutes long; it is not a floor).
    for (const { id, system } of running.filter(({ id }) => id !== "portkey" && TTFT_STREAMS > 0)) {
      await streams(env.bun, system, 16, 20, 0, STREAM_SHAPE);
      results.ttft[id] = await streams(env.bun, system, 1, TTFT_STREAMS, 0, STREAM_SHAPE);
      log(`saturation ttft ${id}: ${JSON.stringify(results.ttft[id]?.ttftMs)}`);
    }
  } finally {
    for (const { system } of running) await stop(system.entry);
  }
  results.durationS = (Date.now() - started) / 1000;
  return results;
}
