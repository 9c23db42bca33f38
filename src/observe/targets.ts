// The targets whose health is shown (metrics, dashboard): every one with a health record, every whole provider with
// one, and every target a rotation names (healthy until it has a record).
import type { LoadedConfig } from "../config/load.ts";
import type { EntryStatus, HealthStore } from "../routing/health.ts";

export interface TargetHealth {
  provider: string;
  /** "" for a whole provider's record. */
  model: string;
  entry: EntryStatus | undefined;
}

export function targetHealth(config: LoadedConfig, health: HealthStore): TargetHealth[] {
  const snapshot = health.snapshot();
  const out = new Map<string, TargetHealth>();
  for (const [id, entry] of Object.entries(snapshot.providers))
    out.set(id, { provider: id, model: "", entry });
  for (const rotation of Object.values(config.rotations)) {
    for (const member of rotation.providers) {
      for (const model of member.models) {
        const key = `${member.provider_id}/${model.name}`;
        out.set(key, { provider: member.provider_id, model: model.name, entry: snapshot.targets[key] });
      }
    }
  }
  for (const [key, entry] of Object.entries(snapshot.targets)) {
    const slash = key.indexOf("/");
    out.set(key, { provider: key.slice(0, slash), model: key.slice(slash + 1), entry });
  }
  return [...out.values()];
}
