// What a target can take: the adapter declares it, the config may say otherwise. Whether it may continue a cut
// stream, where a target that refused a continuation is remembered as unable (in the app's own memory: apps built in
// one process share none); whether it reads PDF documents.
import type { ProviderConfig } from "../config/schema.ts";
import type { Target } from "./health.ts";
import type { DispatchDeps } from "./types.ts";

/** Targets that refused an assistant prefill, per provider config object: a config reload forgets them. */
export interface PrefillRefusals {
  has(provider: ProviderConfig, target: Target): boolean;
  add(provider: ProviderConfig, target: Target): void;
}

/** Model names come from clients: the memory is bounded per provider, and starts over past the bound. */
const MAX_REMEMBERED = 1_000;

export function createPrefillRefusals(): PrefillRefusals {
  const refusals = new WeakMap<ProviderConfig, Set<string>>();
  return {
    has: (provider, target) => refusals.get(provider)?.has(target.model) ?? false,
    add(provider, target) {
      let models = refusals.get(provider);
      if (!models) {
        models = new Set();
        refusals.set(provider, models);
      }
      if (models.size >= MAX_REMEMBERED) models.clear();
      models.add(target.model);
    },
  };
}

export function canContinue(deps: DispatchDeps, provider: ProviderConfig, target: Target): boolean {
  const declared = provider.supports_prefill ?? deps.adapters[provider.type].capabilities.prefill;
  return declared && !deps.prefillRefusals.has(provider, target);
}

export function readsDocuments(deps: DispatchDeps, provider: ProviderConfig): boolean {
  return provider.supports_documents ?? deps.adapters[provider.type].capabilities.documents;
}
