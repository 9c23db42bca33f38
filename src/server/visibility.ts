// What a client key may see on the status pages (GET /, /health): the providers and rotations it may use, and the
// health of the targets behind them; the same rules as access.ts applies to requests and /v1/models to its list.
import type { ClientKey } from "../config/client-keys.ts";
import type { LoadedConfig } from "../config/load.ts";

export interface Visibility {
  /** Whether anything is hidden (a key with an allow or models list); an unrestricted caller also sees config_dir. */
  restricted: boolean;
  provider(id: string): boolean;
  rotation(name: string): boolean;
  /** A health target, keyed "<provider>/<model>". */
  target(id: string): boolean;
}

const EVERYTHING: Visibility = {
  restricted: false,
  provider: () => true,
  rotation: () => true,
  target: () => true,
};

/** Undefined key: client keys are off, or a status page open to anyone; it sees everything it is shown. */
export function visibleTo(config: LoadedConfig, key: ClientKey | undefined): Visibility {
  if (!key || (!key.allow && !key.models)) return EVERYTHING;
  const { allow, models } = key;
  const allowed = (id: string) => !allow || allow.includes(id);
  // A provider is usable when it is allowed and, with a models list, some model of it is listed.
  const provider = (id: string) =>
    allowed(id) && (!models || models.some((name) => name.startsWith(`${id}/`)));
  const rotation = (name: string) => allowed(name) && (!models || models.includes(name));
  // Targets reached through a usable rotation are what that rotation's requests land on: their health is the key's.
  const throughRotations = new Set<string>();
  for (const [name, entry] of Object.entries(config.rotations)) {
    if (!rotation(name)) continue;
    for (const member of entry.providers) {
      for (const model of member.models) throughRotations.add(`${member.provider_id}/${model.name}`);
    }
  }
  const target = (id: string) => {
    if (throughRotations.has(id)) return true;
    const slash = id.indexOf("/");
    return slash > 0 && provider(id.slice(0, slash)) && (!models || models.includes(id));
  };
  return { restricted: true, provider, rotation, target };
}
