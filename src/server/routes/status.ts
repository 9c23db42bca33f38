// GET / and GET /health: what the gateway serves and how each provider is doing. Never a key.
import { redactText } from "../../log/logger.ts";
import type { EntryStatus } from "../../routing/health.ts";
import { type AppDeps, configuredSecrets } from "../deps.ts";

/** Health as stored, with secrets scrubbed once more: upstream error text may echo a key. */
function safeSnapshot(deps: AppDeps) {
  const secrets = configuredSecrets(deps.config);
  const clean = (entries: Record<string, EntryStatus>) =>
    Object.fromEntries(
      Object.entries(entries).map(([id, entry]) => [
        id,
        {
          ...entry,
          ...(entry.disabled_reason ? { disabled_reason: redactText(entry.disabled_reason, secrets) } : {}),
          ...(entry.last_error
            ? { last_error: { ...entry.last_error, message: redactText(entry.last_error.message, secrets) } }
            : {}),
        },
      ]),
    );
  const snapshot = deps.health.snapshot();
  return { providers: clean(snapshot.providers), targets: clean(snapshot.targets) };
}

export function statusBody(deps: AppDeps) {
  const health = safeSnapshot(deps);
  return {
    name: "aisbf",
    status: "ok",
    version: deps.version,
    providers: Object.values(deps.config.providers).map((provider) => ({
      id: provider.id,
      name: provider.name,
      type: provider.type,
      key_configured: Boolean(provider.api_key),
      models: (provider.models ?? []).map((model) => model.name),
      health: health.providers[provider.id] ?? { state: "healthy", consecutive_failures: 0 },
    })),
    rotations: Object.entries(deps.config.rotations).map(([name, rotation]) => ({
      name,
      strategy: rotation.strategy ?? "weighted",
      targets: rotation.providers.flatMap((member) =>
        member.models.map((model) => ({
          provider: member.provider_id,
          model: model.name,
          weight: model.weight,
          health: health.targets[`${member.provider_id}/${model.name}`] ?? {
            state: "healthy",
            consecutive_failures: 0,
          },
        })),
      ),
    })),
    targets: health.targets,
  };
}

/** What anyone may know: the gateway is up. */
export function livenessBody(deps: AppDeps) {
  return {
    status: "ok",
    version: deps.version,
    pid: process.pid,
    started_at: new Date(deps.startedAt).toISOString(),
    uptime_s: Math.floor((deps.clock() - deps.startedAt) / 1000),
  };
}

export function healthBody(deps: AppDeps) {
  const health = safeSnapshot(deps);
  return {
    ...livenessBody(deps),
    config_dir: deps.config.dir,
    providers: Object.fromEntries(
      Object.keys(deps.config.providers).map((id) => [
        id,
        health.providers[id] ?? { state: "healthy", consecutive_failures: 0 },
      ]),
    ),
    targets: health.targets,
  };
}
