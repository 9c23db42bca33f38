// Whether a target may continue a cut stream: the adapter declares it, the config may say otherwise, and a target
// that refused a continuation once is remembered as unable.
import type { ProviderConfig } from "../config/schema.ts";
import type { Target } from "./health.ts";
import type { DispatchDeps } from "./types.ts";

/** Models per provider config object that refused an assistant prefill: a config reload forgets them. */
const refusals = new WeakMap<ProviderConfig, Set<string>>();
/** Model names come from clients: the memory is bounded, and starts over past the bound. */
const MAX_REMEMBERED = 1_000;

export function canContinue(deps: DispatchDeps, provider: ProviderConfig, target: Target): boolean {
  const declared = provider.supports_prefill ?? deps.adapters[provider.type].capabilities.prefill;
  return declared && !(refusals.get(provider)?.has(target.model) ?? false);
}

/** The target answered a continuation with "I cannot take this request": not asked to continue again. */
export function rememberPrefillRefusal(provider: ProviderConfig, target: Target): void {
  let models = refusals.get(provider);
  if (!models) {
    models = new Set();
    refusals.set(provider, models);
  }
  if (models.size >= MAX_REMEMBERED) models.clear();
  models.add(target.model);
}
