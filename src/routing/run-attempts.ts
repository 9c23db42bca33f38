// The one attempt path: a run over targets in order, with retries, failover, probes and health. A client request and
// the continuation of a cut stream both run through it.
import type { GatewayError } from "../api/errors.ts";
import { firstPdfDocument } from "../canonical/documents.ts";
import type { ProviderConfig } from "../config/schema.ts";
import { type KeySource, keySourceOf } from "../providers/types.ts";
import { type AttemptResult, attemptOnce } from "./attempt.ts";
import { canContinue, readsDocuments } from "./capabilities.ts";
import { sleep } from "./deadline.ts";
import { asAnswered } from "./exhausted.ts";
import { asGatewayError, healthPolicyFor } from "./failures.ts";
import type { Target } from "./health.ts";
import { comebackOf, recordOutcome } from "./outcome.ts";
import { type Decision, decide } from "./policy.ts";
import type { Candidate } from "./select.ts";
import {
  type AttemptRecord,
  ClientGone,
  type ClientRequest,
  type DispatchDeps,
  type Route,
} from "./types.ts";

/** What one request has done so far, across its targets. */
export interface Progress {
  records: AttemptRecord[];
  comebackTimes: number[];
  lastError: GatewayError | undefined;
  attempts: number;
  /** Set when a target was passed over because it cannot take what the request carries (exhausted.ts says so). */
  unfit?: Unfit;
}

/** What made targets unable to take the request: a PDF document, where the client put it. */
export interface Unfit {
  what: "a PDF document";
  at: string | undefined;
}

/** One run over targets: the first answer, or the continuation of a cut stream (`prefill` set). */
export interface Plan {
  route: Route;
  request: ClientRequest;
  order: readonly Candidate[];
  /** Continuation: the assistant text already delivered. Only prefill-capable targets are asked. */
  prefill?: string;
}

export interface Won {
  result: AttemptResult;
  target: Candidate;
}

/** A target whose transient failure waits for its one retry until the other candidates were tried. */
interface Deferred {
  target: Candidate;
  provider: ProviderConfig;
  apiKey: string | undefined;
  keySource: KeySource;
  error: GatewayError;
  retryAt: number;
}

interface Slot {
  target: Candidate;
  provider: ProviderConfig;
  apiKey: string | undefined;
  keySource: KeySource;
  /** The probe token when this request is the target's probe (health.ts): its outcome alone ends the probe. */
  probe?: number | undefined;
}

export function newProgress(): Progress {
  return { records: [], comebackTimes: [], lastError: undefined, attempts: 0 };
}

/** Files a failed attempt, or a target whose key could not be had, in the request's progress. */
function noteFailure(progress: Progress, error: GatewayError, target: Candidate): void {
  progress.lastError = error;
  progress.records.push({
    provider: target.providerId,
    model: target.model,
    status: error.status,
    reason: error.message,
    kind: error.kind,
  });
}

function skipRecord(progress: Progress, target: Candidate, availability: Availability): void {
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
}

type Availability = ReturnType<DispatchDeps["health"]["availability"]>;

/** A target passed over: it cannot take the request as sent, however healthy; its health is not touched. */
function unfitRecord(progress: Progress, target: Candidate, unfit: Unfit): void {
  progress.unfit = unfit;
  progress.records.push({
    provider: target.providerId,
    model: target.model,
    status: 400,
    reason: "skipped: reads no PDF documents",
    kind: "unsupported",
    skipped: true,
  });
}

/**
 * Whether `target` may be tried now. A probe it grants is first claimed for all instances sharing the health: one
 * another instance holds means this one waits for that probe's outcome (it comes back within an interval).
 */
async function available(
  deps: DispatchDeps,
  target: Target,
  provider: ProviderConfig,
): Promise<Availability> {
  const policy = healthPolicyFor(provider);
  const availability = deps.health.availability(target, policy);
  if (availability.probe === undefined) return availability;
  if (await deps.health.claimProbe(target, availability.probe, policy)) return availability;
  return { available: false, until: deps.clock() + policy.probeIntervalMs };
}

/**
 * Tries `plan.order` until one target answers (the commit point, for a stream), within `route.maxAttempts`. A
 * transient failure is retried once on the same target, but only after every other candidate was tried: with a
 * fallback ready, the client should not wait out a backoff on a target that just failed. A probe (a target out for
 * failures, let through to see whether it is back) gets exactly one attempt. Undefined when nothing answered; the
 * caller builds the error from `progress`.
 */
export async function runAttempts(
  deps: DispatchDeps,
  plan: Plan,
  progress: Progress,
  clientSignal: AbortSignal,
): Promise<Won | undefined> {
  const { route, order } = plan;
  const deferred: Deferred[] = [];
  const pdf = firstPdfDocument(plan.request.canonical);
  const unfit: Unfit | undefined = pdf ? { what: "a PDF document", at: pdf.at } : undefined;
  try {
    for (let index = 0; index < order.length; index++) {
      if (progress.attempts >= route.maxAttempts) break;
      const target = order[index] as Candidate;
      const provider = deps.providers[target.providerId];
      if (!provider) continue;
      if (plan.prefill !== undefined && !canContinue(deps, provider, target)) continue;
      // Asked before health, so that a target which could not take the request is never granted its probe.
      if (unfit && !readsDocuments(deps, provider)) {
        unfitRecord(progress, target, unfit);
        continue;
      }
      const availability = await available(deps, target, provider);
      if (!availability.available) {
        skipRecord(progress, target, availability);
        continue;
      }
      const slot = slotFor(deps, plan, progress, target, provider, availability.probe);
      if (!slot) continue;
      const won = await onTarget(deps, plan, progress, clientSignal, slot, deferred);
      if (won) return won;
    }
    for (let next = deferred.shift(); next; next = deferred.shift()) {
      if (progress.attempts >= route.maxAttempts) {
        settleFailure(deps, plan, progress, next, next.error);
        continue;
      }
      const won = await retryDeferred(deps, plan, progress, clientSignal, next);
      if (won) return won;
    }
    return undefined;
  } finally {
    // Held failures of targets never retried (another answered, or the attempts ran out) are filed now.
    for (const held of deferred) settleFailure(deps, plan, progress, held, held.error);
  }
}

/** The target's key, or a failure record when it has none to send (then it is not attempted). */
function slotFor(
  deps: DispatchDeps,
  plan: Plan,
  progress: Progress,
  target: Candidate,
  provider: ProviderConfig,
  probe: number | undefined,
): Slot | undefined {
  try {
    const apiKey = deps.keyFor(provider);
    return { target, provider, apiKey, keySource: keySourceOf(provider, apiKey), probe };
  } catch (thrown) {
    noteFailure(progress, asGatewayError(thrown, provider.id, deps.redact), target);
    // A probe granted to a target that cannot be asked is handed back.
    recordOutcome(deps, plan.route, provider, target, { kind: "neutral" }, probe);
    return undefined;
  }
}

/** One attempt; its outcome filed unless the caller must decide (a failure, returned with the policy's word). */
async function attempt(
  deps: DispatchDeps,
  plan: Plan,
  progress: Progress,
  clientSignal: AbortSignal,
  slot: Slot,
  attemptsOnTarget: number,
): Promise<{ won: Won } | { error: GatewayError; decision: Decision }> {
  const { route } = plan;
  const { target, provider } = slot;
  progress.attempts += 1;
  const since = deps.observer?.mark() ?? 0;
  try {
    const result = await attemptOnce({
      deps,
      route,
      request: plan.request,
      provider,
      target,
      apiKey: slot.apiKey,
      keySource: slot.keySource,
      clientSignal,
      prefill: plan.prefill,
    });
    recordOutcome(deps, route, provider, target, { kind: "success" }, slot.probe);
    deps.observer?.attempted(target, since, undefined);
    return { won: { result, target } };
  } catch (thrown) {
    if (thrown instanceof ClientGone || clientSignal.aborted) {
      recordOutcome(deps, route, provider, target, { kind: "neutral" }, slot.probe);
      throw thrown instanceof ClientGone ? thrown : new ClientGone("client went away");
    }
    const error = asGatewayError(thrown, provider.id, deps.redact);
    noteFailure(progress, error, target);
    deps.observer?.attempted(target, since, error);
    const decision = decide({
      error,
      attemptsOnTarget,
      maxRetryWaitMs: route.maxRetryWaitMs,
      now: deps.clock(),
      random: deps.random,
    });
    deps.logger.warn(plan.prefill === undefined ? "attempt failed" : "continuation attempt failed", {
      route: route.name,
      provider: provider.id,
      model: target.model,
      status: error.status,
      kind: error.kind,
      decision: decision.action,
    });
    return { error, decision };
  }
}

/** Attempts one target, retrying as the policy says (or deferring the retry); files its outcome once. */
async function onTarget(
  deps: DispatchDeps,
  plan: Plan,
  progress: Progress,
  clientSignal: AbortSignal,
  slot: Slot,
  deferred: Deferred[],
): Promise<Won | undefined> {
  for (let attemptsOnTarget = 1; ; attemptsOnTarget++) {
    const step = await attempt(deps, plan, progress, clientSignal, slot, attemptsOnTarget);
    if ("won" in step) return step.won;
    const { error, decision } = step;
    if (decision.action === "fail") return failed(deps, plan, progress, slot, error);
    const mayRetry =
      decision.action === "retry" && slot.probe === undefined && progress.attempts < plan.route.maxAttempts;
    // Retried only after the other candidates, in attempt order: a route's preference order holds for retries too.
    if (mayRetry && error.kind !== "rate_limited") {
      deferred.push({ ...slot, error, retryAt: deps.clock() + decision.delayMs });
      return undefined;
    }
    if (mayRetry) {
      await pause(decision.delayMs, clientSignal);
      continue;
    }
    settleFailure(deps, plan, progress, slot, error, decision);
    return undefined;
  }
}

/** The one retry of a target whose transient failure was deferred behind the other candidates. */
async function retryDeferred(
  deps: DispatchDeps,
  plan: Plan,
  progress: Progress,
  clientSignal: AbortSignal,
  held: Deferred,
): Promise<Won | undefined> {
  const availability = await available(deps, held.target, held.provider);
  if (!availability.available) {
    // Another request took it out meanwhile: the failure this one saw still counts.
    settleFailure(deps, plan, progress, held, held.error);
    return undefined;
  }
  const wait = held.retryAt - deps.clock();
  if (wait > 0) await pause(wait, clientSignal);
  const step = await attempt(deps, plan, progress, clientSignal, held, 2);
  if ("won" in step) return step.won;
  if (step.decision.action === "fail") return failed(deps, plan, progress, held, step.error);
  settleFailure(deps, plan, progress, held, step.error, step.decision);
  return undefined;
}

/**
 * The policy says the error is the client's answer. On a continuation it says instead that this target cannot
 * continue: remembered, and never the error the client ends with (that is the cut's).
 */
function failed(
  deps: DispatchDeps,
  plan: Plan,
  progress: Progress,
  slot: Slot,
  error: GatewayError,
): undefined {
  recordOutcome(
    deps,
    plan.route,
    slot.provider,
    slot.target,
    { kind: "failure", error, keySource: slot.keySource },
    slot.probe,
  );
  if (plan.prefill !== undefined) {
    if (error.kind === "client") deps.prefillRefusals.add(slot.provider, slot.target);
    return undefined;
  }
  throw asAnswered(error, slot.provider.id, slot.target.model, progress.attempts);
}

/** Files a target's failure and notes when it comes back, for the Retry-After of a final 503. */
function settleFailure(
  deps: DispatchDeps,
  plan: Plan,
  progress: Progress,
  slot: Slot,
  error: GatewayError,
  decision?: Decision,
): void {
  const { provider, target } = slot;
  if (plan.prefill !== undefined && error.kind === "unsupported") deps.prefillRefusals.add(provider, target);
  recordOutcome(
    deps,
    plan.route,
    provider,
    target,
    { kind: "failure", error, keySource: slot.keySource },
    slot.probe,
  );
  const comeback = comebackOf(deps, provider, target);
  if (comeback !== undefined) progress.comebackTimes.push(comeback);
  else if (decision?.action === "next" && decision.retryAfterMs !== undefined) {
    progress.comebackTimes.push(deps.clock() + decision.retryAfterMs);
  }
}

/** A wait between attempts, ended early (as ClientGone) when the client leaves. */
async function pause(ms: number, clientSignal: AbortSignal): Promise<void> {
  try {
    await sleep(ms, clientSignal);
  } catch {
    throw new ClientGone("client went away");
  }
}
