// Runs one client request over a route's targets; a stream's answer is then fed through its committed stream.
import { committedStream } from "./committed-stream.ts";
import { exhausted } from "./exhausted.ts";
import { newProgress, runAttempts } from "./run-attempts.ts";
import { attemptOrder } from "./select.ts";
import type { ClientRequest, DispatchDeps, Route, Served } from "./types.ts";

export type { AttemptRecord, ClientRequest, DispatchDeps, Route, Served, ServedBody } from "./types.ts";
export { ClientGone, DEFAULT_MAX_ATTEMPTS, DEFAULT_MAX_RETRY_WAIT_MS } from "./types.ts";

export async function dispatch(
  deps: DispatchDeps,
  route: Route,
  request: ClientRequest,
  clientSignal: AbortSignal,
): Promise<Served> {
  const order = attemptOrder(route.candidates, route.strategy, deps.random);
  const progress = newProgress();
  const won = await runAttempts(deps, { route, request, order }, progress, clientSignal);
  if (!won) throw exhausted({ route, ...progress, now: deps.clock() });
  const { result, target } = won;
  if (result.kind === "completion") {
    const { response, raw, usage, warnings } = result;
    const served: Served = { kind: "completion", response, warnings, target, attempts: progress.attempts };
    if (raw) {
      served.raw = raw;
      served.usage = usage;
    }
    return served;
  }
  const chunks = committedStream({ deps, route, request, order, clientSignal }, result.opened);
  return { kind: "stream", chunks, warnings: result.warnings, target, attempts: progress.attempts };
}
