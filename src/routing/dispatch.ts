// Runs one client request over a route's targets: attempt order, retries, failover and health.
import type { ChatRequest } from "../api/chat.ts";
import type { GatewayError } from "../api/errors.ts";
import type { ProviderConfig } from "../config/schema.ts";
import { type AttemptInput, attemptOnce } from "./attempt.ts";
import { sleep } from "./deadline.ts";
import { asGatewayError, healthPolicyFor, healthReport } from "./failures.ts";
import type { Target } from "./health.ts";
import { asAnswered, exhausted } from "./outcome.ts";
import { decide } from "./policy.ts";
import { attemptOrder, type Candidate } from "./select.ts";
import { type AttemptRecord, ClientGone, type DispatchDeps, type Route, type Served } from "./types.ts";

export type { AttemptRecord, DispatchDeps, Route, Served, ServedBody } from "./types.ts";
export { ClientGone, DEFAULT_MAX_ATTEMPTS, DEFAULT_MAX_RETRY_WAIT_MS } from "./types.ts";

/** What one request has done so far, across its targets. */
interface Progress {
  records: AttemptRecord[];
  comebackTimes: number[];
  lastError: GatewayError | undefined;
  attempts: number;
}

function skipRecord(
  deps: DispatchDeps,
  target: Target,
  provider: ProviderConfig,
  progress: Progress,
): boolean {
  const availability = deps.health.availability(target, healthPolicyFor(provider));
  if (availability.available) return false;
  if (availability.until !== undefined) progress.comebackTimes.push(availability.until);
  const why = availability.disabled
    ? `disabled: ${availability.disabled.reason}`
    : `${availability.rateLimited ? "rate limited" : "cooling down"} until ${new Date(availability.until ?? 0).toISOString()}`;
  progress.records.push({
    provider: target.providerId,
    model: target.model,
    status: availability.disabled?.status ?? (availability.rateLimited ? 429 : 0),
    reason: `skipped: ${why}`,
    skipped: true,
  });
  return true;
}

export async function dispatch(
  deps: DispatchDeps,
  route: Route,
  request: ChatRequest,
  clientSignal: AbortSignal,
): Promise<Served> {
  const order = attemptOrder(route.candidates, route.strategy, deps.random);
  const progress: Progress = { records: [], comebackTimes: [], lastError: undefined, attempts: 0 };
  for (let index = 0; index < order.length; index++) {
    if (progress.attempts >= route.maxAttempts) break;
    const target = order[index] as Candidate;
    const provider = deps.providers[target.providerId];
    if (!provider || skipRecord(deps, target, provider, progress)) continue;
    let apiKey: string | undefined;
    try {
      apiKey = deps.keyFor(provider);
    } catch (thrown) {
      noteFailure(progress, asGatewayError(thrown, provider.id, deps.redact), provider.id, target.model);
      continue;
    }
    const attempt: AttemptInput = {
      deps,
      route,
      request,
      provider,
      target,
      apiKey,
      clientSignal,
      // Only a stream cut after commit continues on the rest: no copy per request otherwise.
      rest: route.continueOnCut ? order.slice(index + 1) : [],
    };
    const served = await tryTarget(attempt, progress);
    if (served) return served;
  }
  throw exhausted({ route, ...progress, now: deps.clock() });
}

/** Files a failed attempt, or a target whose key could not be had, in the request's progress. */
function noteFailure(progress: Progress, error: GatewayError, providerId: string, model: string): void {
  progress.lastError = error;
  progress.records.push({
    provider: providerId,
    model,
    status: error.status,
    reason: error.message,
    kind: error.kind,
  });
}

/** Attempts one target, retrying as the policy says; files one health report however many retries it made. */
async function tryTarget(attempt: AttemptInput, progress: Progress): Promise<Served | undefined> {
  const { deps, route, provider, target, clientSignal } = attempt;
  for (let onTarget = 1; progress.attempts < route.maxAttempts; onTarget++) {
    progress.attempts += 1;
    try {
      const served = await attemptOnce(attempt, progress.attempts);
      deps.health.recordSuccess(target);
      return served;
    } catch (thrown) {
      if (thrown instanceof ClientGone || clientSignal.aborted) throw thrown;
      const error = asGatewayError(thrown, provider.id, deps.redact);
      noteFailure(progress, error, provider.id, target.model);
      const now = deps.clock();
      const decision = decide({
        error,
        attemptsOnTarget: onTarget,
        maxRetryWaitMs: route.maxRetryWaitMs,
        now,
        random: deps.random,
      });
      deps.logger.warn("attempt failed", {
        route: route.name,
        provider: provider.id,
        model: target.model,
        status: error.status,
        kind: error.kind,
        decision: decision.action,
      });
      if (decision.action === "fail") throw asAnswered(error, provider.id, target.model, progress.attempts);
      if (decision.action === "retry" && progress.attempts < route.maxAttempts) {
        await sleep(decision.delayMs, clientSignal);
        continue;
      }
      const report = healthReport(error, provider, target.model, route, now);
      if (report) {
        const policy = healthPolicyFor(provider);
        deps.health.recordFailure(target, report, policy);
        const comeback = deps.health.availability(target, policy);
        if (!comeback.available && comeback.until !== undefined) progress.comebackTimes.push(comeback.until);
      } else if (decision.action === "next" && decision.retryAfterMs !== undefined) {
        progress.comebackTimes.push(now + decision.retryAfterMs);
      }
      return undefined;
    }
  }
  return undefined;
}
