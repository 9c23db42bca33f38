// GET / and GET /health: what the gateway serves and how each provider is doing. Never a key.
import type { AppDeps } from "../deps.ts";

export function statusBody(deps: AppDeps) {
  const health = deps.health.snapshot();
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

export function healthBody(deps: AppDeps) {
  const health = deps.health.snapshot();
  return {
    status: "ok",
    version: deps.version,
    pid: process.pid,
    started_at: new Date(deps.startedAt).toISOString(),
    uptime_s: Math.floor((deps.clock() - deps.startedAt) / 1000),
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
