// Picks the runtime we are on; nowhere else checks.
import { bunRuntime } from "./bun.ts";
import { denoRuntime } from "./deno.ts";
import type { Runtime } from "./types.ts";

export type { RunningServer, Runtime, ServeOptions } from "./types.ts";

export function currentRuntime(): Runtime {
  return "Deno" in globalThis ? denoRuntime : bunRuntime;
}
