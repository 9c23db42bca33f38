// The one place routing writes health: what an attempt's outcome says about its target, filed once.
import type { GatewayError } from "../api/errors.ts";
import type { ProviderConfig } from "../config/schema.ts";
import type { KeySource } from "../providers/types.ts";
import { healthPolicyFor, healthReport } from "./failures.ts";
import type { Target } from "./health.ts";
import type { DispatchDeps, Route } from "./types.ts";

/** How an attempt on a target ended, as routing saw it. */
export type AttemptOutcome =
  | { kind: "success" }
  | { kind: "failure"; error: GatewayError; keySource: KeySource }
  /** Nothing to hold for or against the target (the client left, the request did not fit it). */
  | { kind: "neutral" };

/**
 * Files `outcome` against `target`; `probe` is the attempt's probe token when it was the target's probe. A failure that says nothing about the target (the client's own request, the
 * caller's own key, the gateway's fault) is neutral: it still ends the target's probe, so the next request may try.
 */
export function recordOutcome(
  deps: DispatchDeps,
  route: Route,
  provider: ProviderConfig,
  target: Target,
  outcome: AttemptOutcome,
  probe?: number,
): void {
  const policy = healthPolicyFor(provider);
  if (outcome.kind !== "failure") {
    deps.health.record(target, outcome, policy, probe);
    return;
  }
  const report = healthReport(outcome.error, provider, target.model, route, deps.clock(), outcome.keySource);
  deps.health.record(target, report ? { kind: "failure", report } : { kind: "neutral" }, policy, probe);
}

/** When `target` may be tried again after a failure just filed, if it is out now. */
export function comebackOf(deps: DispatchDeps, provider: ProviderConfig, target: Target): number | undefined {
  const availability = deps.health.availability(target, healthPolicyFor(provider));
  // Asking may grant a probe; a request that fails over does not use it, so it is handed back at once.
  if (availability.probe !== undefined) {
    deps.health.record(target, { kind: "neutral" }, healthPolicyFor(provider), availability.probe);
  }
  return availability.available ? undefined : availability.until;
}
