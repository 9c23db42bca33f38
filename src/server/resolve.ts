// Which targets serve a request: a provider and model, or a rotation. Names are checked before they go anywhere.
import { InvalidRequestError } from "../api/errors.ts";
import type { LoadedConfig } from "../config/load.ts";
import { DEFAULT_MAX_ATTEMPTS, DEFAULT_MAX_RETRY_WAIT_MS, type Route } from "../routing/dispatch.ts";

/** Model names reach upstream URLs (Gemini puts them in the path): letters, digits and . _ : / @ + - only, no "..". */
const MODEL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,255}$/;
/** An empty path segment ("a//b", "a/") or a ".." one; the pattern above already refuses a leading "/" or ".". */
const BAD_SEGMENT = /\/\/|\/$|(^|\/)\.\.(\/|$)/;

/** Checked on every request: two regular expressions, no array per check (a split showed in a CPU profile). */
export function checkModelName(model: string): string {
  if (!MODEL_PATTERN.test(model) || BAD_SEGMENT.test(model)) {
    throw new InvalidRequestError(
      "model must be 1-256 characters of letters, digits and . _ : / @ + -, with no empty or '..' path segments",
      { param: "model", code: "invalid_model" },
    );
  }
  return model;
}

function unknownName(name: string, config: LoadedConfig, what: string): InvalidRequestError {
  const known = [...Object.keys(config.providers), ...Object.keys(config.rotations)].join(", ");
  const aliases = Object.keys(config.modelAliases ?? {});
  const shown = name.length > 80 ? `${name.slice(0, 80)}...` : name;
  return new InvalidRequestError(
    `Unknown ${what} '${shown}'. Known providers and rotations: ${known || "none"}` +
      (aliases.length > 0 ? `; model aliases: ${aliases.join(", ")}` : ""),
    {
      status: 404,
      code: "model_not_found",
      param: "model",
    },
  );
}

export function rotationRoute(config: LoadedConfig, name: string): Route | undefined {
  const rotation = config.rotations[name];
  if (!rotation) return undefined;
  return {
    name,
    isRotation: true,
    candidates: rotation.providers.flatMap((member) =>
      member.models.map((model) => ({
        providerId: member.provider_id,
        model: model.name,
        weight: model.weight,
      })),
    ),
    strategy: rotation.strategy ?? "weighted",
    maxAttempts: rotation.max_attempts ?? DEFAULT_MAX_ATTEMPTS,
    maxRetryWaitMs: rotation.max_retry_wait_ms ?? DEFAULT_MAX_RETRY_WAIT_MS,
    continueOnCut: rotation.continue_on_cut ?? false,
    timeouts: rotation.timeouts,
  };
}

/** A provider asked directly: its one target, the default attempt budget, no continuation. */
export function providerRoute(providerId: string, model: string): Route {
  return {
    name: providerId,
    isRotation: false,
    candidates: [{ providerId, model: checkModelName(model), weight: 1 }],
    strategy: "weighted",
    maxAttempts: DEFAULT_MAX_ATTEMPTS,
    maxRetryWaitMs: DEFAULT_MAX_RETRY_WAIT_MS,
    continueOnCut: false,
  };
}

/**
 * The target a model alias names: an exact alias first, then the longest "prefix*" that matches. Undefined when no
 * alias matches.
 */
export function aliasTarget(config: LoadedConfig, model: string): string | undefined {
  const aliases = config.modelAliases;
  if (!aliases) return undefined;
  const exact = aliases[model];
  if (exact !== undefined) return exact;
  let best: string | undefined;
  let bestLength = -1;
  for (const name in aliases) {
    if (!name.endsWith("*")) continue;
    const prefix = name.slice(0, -1);
    if (prefix.length > bestLength && model.startsWith(prefix)) {
      best = aliases[name];
      bestLength = prefix.length;
    }
  }
  return best;
}

export interface PathRouteOptions {
  /**
   * Clients with fixed model names (Claude Code, Codex): a model the provider does not list goes through
   * model_aliases, else to the provider's first configured model, with a warning naming the substitution.
   */
  substitute?: boolean;
}

/** POST /api/{id}/...: `id` is a provider (the body's model is its model) or a rotation. */
export function resolvePathRoute(
  config: LoadedConfig,
  id: string,
  model: string,
  options: PathRouteOptions = {},
): Route {
  const rotation = rotationRoute(config, id);
  if (rotation) return rotation;
  const provider = config.providers[id];
  if (!provider) throw unknownName(id, config, "provider or rotation");
  // Accept "<provider>/<model>" here too, as clients configured for /v1 send it.
  const bare = model.startsWith(`${id}/`) ? model.slice(id.length + 1) : model;
  const listed = provider.models;
  if (!options.substitute || !listed || listed.length === 0 || listed.some((entry) => entry.name === bare)) {
    return providerRoute(id, bare);
  }
  const alias = aliasTarget(config, model);
  const aliased = alias?.startsWith(`${id}/`) ? alias.slice(id.length + 1) : undefined;
  const chosen = aliased ?? (listed[0] as { name: string }).name;
  const route = providerRoute(id, chosen);
  route.warnings = [
    `model '${model.slice(0, 80)}' is not listed for provider '${id}': ${aliased ? "model_aliases maps it to" : "using its first model,"} '${chosen}'`,
  ];
  return route;
}

/** A "<provider>/<model>" or rotation name as a route, if it is one. */
function namedRoute(config: LoadedConfig, name: string): Route | undefined {
  const rotation = rotationRoute(config, name);
  if (rotation) return rotation;
  const slash = name.indexOf("/");
  if (slash > 0) {
    const providerId = name.slice(0, slash);
    if (config.providers[providerId]) return providerRoute(providerId, name.slice(slash + 1));
  }
  return undefined;
}

/**
 * POST /v1/...: model is "<provider>/<model>", a rotation name, a model_aliases name (exact names win over
 * aliases), or a model only one provider lists.
 */
export function resolveModelRoute(config: LoadedConfig, model: string): Route {
  const named = namedRoute(config, model);
  if (named) return named;
  const alias = aliasTarget(config, model);
  if (alias !== undefined) {
    // load.ts checked that every alias names a rotation or a configured provider's model.
    const aliased = namedRoute(config, alias);
    if (aliased) return aliased;
  }
  const owners = Object.values(config.providers).filter((provider) =>
    provider.models?.some((entry) => entry.name === model),
  );
  if (owners.length === 1 && owners[0]) return providerRoute(owners[0].id, model);
  throw unknownName(model, config, "model");
}
