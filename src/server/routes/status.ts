// GET / and GET /health: what the gateway serves and how each provider is doing, as far as the caller may use it.
// Never a key.
import type { ClientKey } from "../../config/client-keys.ts";
import { redactText } from "../../log/logger.ts";
import type { EntryStatus } from "../../routing/health.ts";
import { type AppDeps, type ConfigStatus, configuredSecrets } from "../deps.ts";
import { type Visibility, visibleTo } from "../visibility.ts";

const HEALTHY = { state: "healthy", consecutive_failures: 0 } as const;

/** Health as stored, with secrets scrubbed once more (upstream error text may echo a key), as far as it is visible. */
function safeSnapshot(deps: AppDeps, visible: Visibility) {
  const secrets = configuredSecrets(deps.config);
  const clean = (entries: Record<string, EntryStatus>, shown: (id: string) => boolean) =>
    Object.fromEntries(
      Object.entries(entries)
        .filter(([id]) => shown(id))
        .map(([id, entry]) => [
          id,
          {
            ...entry,
            ...(entry.disabled_reason ? { disabled_reason: redactText(entry.disabled_reason, secrets) } : {}),
            ...(entry.last_error
              ? {
                  last_error: { ...entry.last_error, message: redactText(entry.last_error.message, secrets) },
                }
              : {}),
          },
        ]),
    );
  const snapshot = deps.health.snapshot();
  return {
    providers: clean(snapshot.providers, visible.provider),
    targets: clean(snapshot.targets, visible.target),
  };
}

export function statusBody(deps: AppDeps, key?: ClientKey) {
  const visible = visibleTo(deps.config, key);
  const health = safeSnapshot(deps, visible);
  return {
    name: "aisbf",
    status: "ok",
    version: deps.version,
    providers: Object.values(deps.config.providers)
      .filter((provider) => visible.provider(provider.id))
      .map((provider) => ({
        id: provider.id,
        name: provider.name,
        type: provider.type,
        key_configured: Boolean(provider.api_key),
        models: (provider.models ?? []).map((model) => model.name),
        health: health.providers[provider.id] ?? HEALTHY,
      })),
    rotations: Object.entries(deps.config.rotations)
      .filter(([name]) => visible.rotation(name))
      .map(([name, rotation]) => ({
        name,
        strategy: rotation.strategy ?? "weighted",
        targets: rotation.providers.flatMap((member) =>
          member.models.map((model) => ({
            provider: member.provider_id,
            model: model.name,
            weight: model.weight,
            health: health.targets[`${member.provider_id}/${model.name}`] ?? HEALTHY,
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

export function healthBody(deps: AppDeps, key?: ClientKey) {
  const visible = visibleTo(deps.config, key);
  const health = safeSnapshot(deps, visible);
  return {
    ...livenessBody(deps),
    // Where the operator keeps the config is the operator's business, not a restricted key's.
    ...(visible.restricted ? {} : { config_dir: deps.config.dir }),
    // A refused reload's message names files and fields: the operator's business too.
    ...(visible.restricted ? {} : configField(deps)),
    // Where state lives, and whether Redis is there now (its last error names hosts: not a restricted key's).
    ...(visible.restricted ? {} : { state: deps.stateStatus?.() ?? { backend: "memory" } }),
    providers: Object.fromEntries(
      Object.keys(deps.config.providers)
        .filter((id) => visible.provider(id))
        .map((id) => [id, health.providers[id] ?? HEALTHY]),
    ),
    targets: health.targets,
  };
}

function configField(deps: AppDeps): { config?: ConfigStatus } {
  const status = deps.configStatus?.();
  if (!status) return {};
  const secrets = configuredSecrets(deps.config);
  const error = status.last_error;
  return {
    config: error
      ? { ...status, last_error: { ...error, message: redactText(error.message, secrets) } }
      : status,
  };
}
