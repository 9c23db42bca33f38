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
  const shown = name.length > 80 ? `${name.slice(0, 80)}...` : name;
  return new InvalidRequestError(
    `Unknown ${what} '${shown}'. Known providers and rotations: ${known || "none"}`,
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

/** POST /api/{id}/chat/completions: `id` is a provider (the body's model is its model) or a rotation. */
export function resolvePathRoute(config: LoadedConfig, id: string, model: string): Route {
  const rotation = rotationRoute(config, id);
  if (rotation) return rotation;
  if (!config.providers[id]) throw unknownName(id, config, "provider or rotation");
  // Accept "<provider>/<model>" here too, as clients configured for /v1 send it.
  const bare = model.startsWith(`${id}/`) ? model.slice(id.length + 1) : model;
  return providerRoute(id, bare);
}

/** POST /v1/chat/completions: model is "<provider>/<model>", a rotation name, or a model only one provider lists. */
export function resolveModelRoute(config: LoadedConfig, model: string): Route {
  const rotation = rotationRoute(config, model);
  if (rotation) return rotation;
  const slash = model.indexOf("/");
  if (slash > 0) {
    const providerId = model.slice(0, slash);
    if (config.providers[providerId]) return providerRoute(providerId, model.slice(slash + 1));
  }
  const owners = Object.values(config.providers).filter((provider) =>
    provider.models?.some((entry) => entry.name === model),
  );
  if (owners.length === 1 && owners[0]) return providerRoute(owners[0].id, model);
  throw unknownName(model, config, "model");
}
