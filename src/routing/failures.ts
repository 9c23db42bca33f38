// Small shared pieces of routing: an adapter's throw as a GatewayError, a provider's health policy.
import { GatewayError, UpstreamError } from "../api/errors.ts";
import type { ProviderConfig } from "../config/schema.ts";
import { DEFAULT_HEALTH_POLICY, type HealthPolicy } from "./health.ts";

export function healthPolicyFor(provider: ProviderConfig): HealthPolicy {
  return {
    failureThreshold: provider.failure_threshold ?? DEFAULT_HEALTH_POLICY.failureThreshold,
    cooldownMs:
      provider.cooldown_seconds !== undefined
        ? provider.cooldown_seconds * 1000
        : DEFAULT_HEALTH_POLICY.cooldownMs,
  };
}

/**
 * Anything an adapter threw, as a GatewayError (an unexpected throw is a transient 502). `redact` scrubs secrets
 * from the message before it reaches health state, logs or the client: upstreams echo keys back in errors.
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
  return new UpstreamError(providerId, `Provider '${providerId}' failed: ${detail}`, {
    status: 502,
    type: "api_error",
    code: "upstream_error",
    kind: "transient",
    cause: thrown,
  });
}
