// Small shared pieces of routing: an adapter's throw as a GatewayError, a provider's health policy, and which
// failures count against a target's health.
import { GatewayError } from "../api/errors.ts";
import type { ProviderConfig } from "../config/schema.ts";
import type { KeySource } from "../providers/types.ts";
import { DEFAULT_HEALTH_POLICY, type FailureReport, type HealthPolicy } from "./health.ts";
import { retryDelayMs } from "./retry-after.ts";
import type { Route } from "./types.ts";

/** Per provider config object (a reload makes new ones): asked on every request, so built once. */
const policies = new WeakMap<ProviderConfig, HealthPolicy>();

export function healthPolicyFor(provider: ProviderConfig): HealthPolicy {
  let policy = policies.get(provider);
  if (!policy) {
    policy = {
      failureThreshold: provider.failure_threshold ?? DEFAULT_HEALTH_POLICY.failureThreshold,
      cooldownMs:
        provider.cooldown_seconds !== undefined
          ? provider.cooldown_seconds * 1000
          : DEFAULT_HEALTH_POLICY.cooldownMs,
      probeIntervalMs:
        provider.probe_interval_seconds !== undefined
          ? provider.probe_interval_seconds * 1000
          : DEFAULT_HEALTH_POLICY.probeIntervalMs,
    };
    policies.set(provider, policy);
  }
  return policy;
}

/**
 * Anything an adapter threw, as a GatewayError. Adapters map every upstream failure themselves, so anything else
 * is the gateway's own fault (a bug, a body it could not serialise): a 500 that is neither retried nor held
 * against the target. `redact` scrubs secrets from the message: upstreams echo keys back in errors.
 */
export function asGatewayError(
  thrown: unknown,
  providerId: string,
  redact: (text: string) => string = (text) => text,
): GatewayError {
  if (thrown instanceof GatewayError) {
    thrown.message = redact(thrown.message);
    return thrown;
  }
  const detail = redact(thrown instanceof Error ? thrown.message : String(thrown));
  return new GatewayError(`The gateway failed while calling provider '${providerId}': ${detail}`, {
    status: 500,
    type: "server_error",
    code: "internal_error",
    kind: "internal",
    cause: thrown,
  });
}

/**
 * The health report a failed request files against its target, or undefined when the failure says nothing about
 * the target: the request did not fit it, the gateway itself failed, or the caller's own key (pass-through) was
 * refused or rate limited. A 404 disables only a configured model, never a name a client made up.
 */
export function healthReport(
  error: GatewayError,
  provider: ProviderConfig,
  model: string,
  route: Route,
  now: number,
  keySource: KeySource,
): FailureReport | undefined {
  if (["client", "context_length", "unsupported", "internal"].includes(error.kind)) return undefined;
  // The caller's own key was limited or refused: that says nothing about the target for anyone else. With no key
  // at all, it is the provider's own account (or address) that is out.
  if (keySource === "caller" && (error.kind === "rate_limited" || error.kind === "misconfigured"))
    return undefined;
  if (error.kind === "misconfigured" && error.status === 404) {
    const configured = route.isRotation || (provider.models ?? []).some((entry) => entry.name === model);
    if (!configured) return undefined;
  }
  return {
    kind: error.kind,
    status: error.status,
    message: error.message,
    retryAfterMs: error.kind === "rate_limited" ? retryDelayMs(error.retryHints, now) : undefined,
    // No connection, or the provider's key refused: every model of the provider is out.
    providerWide:
      error.code === "upstream_unreachable" || (error.status === 401 && error.kind === "misconfigured"),
  };
}
