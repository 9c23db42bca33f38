// GET /api/{id}/models and /v1/models in OpenAI's list shape; upstream discovery cached briefly, config as fallback.
import type { ClientKey } from "../../config/client-keys.ts";
import type { ProviderConfig } from "../../config/schema.ts";
import { redactText } from "../../log/logger.ts";
import type { ModelEntry } from "../../providers/types.ts";
import { type AppDeps, clientAuthOn } from "../deps.ts";
import { upstreamKey } from "../keys.ts";

export interface ModelObject {
  id: string;
  object: "model";
  created: number;
  owned_by: string;
  context_window?: number;
}

const CACHE_MS = 60_000;
const DISCOVERY_TIMEOUT_MS = 10_000;

function toObject(entry: ModelEntry, created: number): ModelObject {
  return {
    id: entry.id,
    object: "model",
    created: entry.created ?? created,
    owned_by: entry.owned_by,
    ...(entry.context_window !== undefined ? { context_window: entry.context_window } : {}),
  };
}

export function configModels(provider: ProviderConfig): ModelEntry[] {
  return (provider.models ?? []).map((model) => ({
    id: model.name,
    owned_by: provider.id,
    ...(model.context_window !== undefined ? { context_window: model.context_window } : {}),
  }));
}

export function createModelLister(deps: AppDeps) {
  const cache = new Map<string, { at: number; models: ModelEntry[] }>();

  /** Upstream's list when it answers, else the configured one (a provider that is down still lists its models). */
  async function providerModels(
    provider: ProviderConfig,
    callerToken: string | undefined,
  ): Promise<ModelEntry[]> {
    let apiKey: string | undefined;
    try {
      apiKey = upstreamKey(provider, callerToken, clientAuthOn(deps.config));
    } catch {
      return configModels(provider);
    }
    const cacheKey = `${provider.id}\u0000${apiKey ?? ""}`;
    const hit = cache.get(cacheKey);
    if (hit && deps.clock() - hit.at < CACHE_MS) return hit.models;
    try {
      const models = await deps.adapters[provider.type].listModels({
        provider,
        apiKey,
        signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS),
      });
      cache.set(cacheKey, { at: deps.clock(), models });
      return models;
    } catch (thrown) {
      deps.logger.warn("model discovery failed; serving the configured list", {
        provider: provider.id,
        // The caller's own token may come back in the upstream's error text; the logger knows only configured keys.
        reason: redactText(
          thrown instanceof Error ? thrown.message : String(thrown),
          callerToken ? [callerToken] : [],
        ),
      });
      return configModels(provider);
    }
  }

  function list(entries: ModelEntry[]): { object: "list"; data: ModelObject[] } {
    const created = Math.floor(deps.startedAt / 1000);
    return { object: "list", data: entries.map((entry) => toObject(entry, created)) };
  }

  return { providerModels, list };
}

/** Every configured provider/model and every rotation, without calling any upstream. */
export function gatewayModels(deps: AppDeps, key?: ClientKey): ModelEntry[] {
  const allowed = (id: string) => !key?.allow || key.allow.includes(id);
  const entries: ModelEntry[] = [];
  for (const provider of Object.values(deps.config.providers)) {
    if (!allowed(provider.id)) continue;
    for (const model of configModels(provider)) entries.push({ ...model, id: `${provider.id}/${model.id}` });
  }
  for (const name of Object.keys(deps.config.rotations)) {
    if (allowed(name)) entries.push({ id: name, owned_by: "aisbf-rotation" });
  }
  return key?.models ? entries.filter((entry) => key.models?.includes(entry.id)) : entries;
}

export function rotationModels(deps: AppDeps, name: string): ModelEntry[] {
  const rotation = deps.config.rotations[name];
  if (!rotation) return [];
  return rotation.providers.flatMap((member) =>
    member.models.map((model) => ({
      id: `${member.provider_id}/${model.name}`,
      owned_by: member.provider_id,
    })),
  );
}
