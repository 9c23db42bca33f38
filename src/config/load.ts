// Reads and validates the config directory: first-run copy of the defaults, strict parsing, ${ENV} filling.
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { z } from "zod";
import { type ClientKey, resolveClientKeys } from "./client-keys.ts";
import { DEFAULT_FILES } from "./defaults.ts";
import { interpolateEnv } from "./interpolate.ts";
import {
  type ProviderConfig,
  providersFileSchema,
  type RotationConfig,
  rotationsFileSchema,
  type ServerFile,
  serverFileSchema,
} from "./schema.ts";

export interface LoadedConfig {
  dir: string;
  providers: Record<string, ProviderConfig>;
  rotations: Record<string, RotationConfig>;
  server: ServerFile;
  /** Client API keys; empty means client authentication is off. */
  clientKeys: ClientKey[];
  /** Things worth saying at start-up that do not stop it (a key variable that is not set...). */
  warnings: string[];
}

/** A config file is missing, unreadable or invalid; the message names the file, the JSON path and the problem. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** Creates the directory (0700) and copies in any default file it lacks (0600); never overwrites. */
export function ensureConfigDir(dir: string): string[] {
  const created: string[] = [];
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const [name, content] of Object.entries(DEFAULT_FILES)) {
    const path = join(dir, name);
    if (existsSync(path)) continue;
    try {
      // "wx" fails if another process created the file meanwhile: theirs wins, ours is not written.
      writeFileSync(path, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600, flag: "wx" });
      chmodSync(path, 0o600);
      created.push(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") {
        throw new ConfigError(`${path}: cannot write the default config: ${(error as Error).message}`);
      }
    }
  }
  return created;
}

function readJson(path: string, required: boolean): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if (!required && (error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new ConfigError(`${path}: cannot read: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${path}: not valid JSON: ${(error as Error).message}`);
  }
}

export function formatIssuePath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out === "" ? "(top level)" : out;
}

function parseWith<T extends z.ZodType>(schema: T, value: unknown, path: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const lines = result.error.issues.slice(0, 10).map((issue) => {
    const keys = issue.code === "unrecognized_keys" ? ` (${issue.keys.join(", ")})` : "";
    return `  ${formatIssuePath(issue.path)}: ${issue.message}${keys}`;
  });
  throw new ConfigError(`${path}: invalid config:\n${lines.join("\n")}`);
}

function resolveProviders(
  file: z.infer<typeof providersFileSchema>,
  path: string,
  env: Record<string, string | undefined>,
  warnings: string[],
): Record<string, ProviderConfig> {
  const providers: Record<string, ProviderConfig> = {};
  for (const [key, entry] of Object.entries(file.providers)) {
    if (entry.id !== key) {
      throw new ConfigError(`${path}: invalid config:\n  providers.${key}.id: must equal its key "${key}"`);
    }
    const resolved: ProviderConfig = { ...entry };
    if (entry.api_key !== undefined) {
      const filled = interpolateEnv(entry.api_key, env);
      resolved.api_key = filled.value;
      if (filled.names[0] !== undefined) resolved.api_key_env = filled.names[0];
      if (filled.missing.length > 0 && entry.api_key_required) {
        warnings.push(
          `provider '${key}': ${filled.missing.join(", ")} is not set; requests to it need that key (or a caller's own bearer token)`,
        );
      }
    }
    if (entry.headers) {
      const headers: Record<string, string> = {};
      for (const [name, raw] of Object.entries(entry.headers)) {
        const filled = interpolateEnv(raw, env);
        if (filled.value === undefined) {
          throw new ConfigError(
            `${path}: invalid config:\n  providers.${key}.headers.${name}: ${filled.missing.join(", ")} is not set`,
          );
        }
        headers[name] = filled.value;
      }
      resolved.headers = headers;
    }
    providers[key] = resolved;
  }
  return providers;
}

function checkRotations(
  rotations: Record<string, RotationConfig>,
  providers: Record<string, ProviderConfig>,
  path: string,
): void {
  const problems: string[] = [];
  for (const [name, rotation] of Object.entries(rotations)) {
    if (providers[name]) problems.push(`  rotations.${name}: a provider has the same id; rename one of them`);
    rotation.providers.forEach((member, index) => {
      if (!providers[member.provider_id]) {
        const known = Object.keys(providers).join(", ") || "none";
        problems.push(
          `  rotations.${name}.providers[${index}].provider_id: unknown provider '${member.provider_id}' (known: ${known})`,
        );
      }
    });
  }
  if (problems.length > 0) throw new ConfigError(`${path}: invalid config:\n${problems.join("\n")}`);
}

/** Loads providers.json, rotations.json and (optional) aisbf.json from `dir`. Throws ConfigError. */
export function loadConfig(dir: string, env: Record<string, string | undefined>): LoadedConfig {
  const warnings: string[] = [];
  const providersPath = join(dir, "providers.json");
  const rotationsPath = join(dir, "rotations.json");
  const serverPath = join(dir, "aisbf.json");

  const providersFile = parseWith(providersFileSchema, readJson(providersPath, true), providersPath);
  const providers = resolveProviders(providersFile, providersPath, env, warnings);
  const rotations = parseWith(rotationsFileSchema, readJson(rotationsPath, true), rotationsPath).rotations;
  checkRotations(rotations, providers, rotationsPath);
  const serverRaw = readJson(serverPath, false);
  const server = serverRaw === undefined ? {} : parseWith(serverFileSchema, serverRaw, serverPath);
  const { keys: clientKeys, problems } = resolveClientKeys(server.auth?.keys ?? [], env);
  if (problems.length > 0)
    throw new ConfigError(`${serverPath}: invalid config:\n  ${problems.join("\n  ")}`);
  warnIfExposed(
    providersPath,
    Object.values(providersFile.providers).some((p) => hasLiteralKey(p.api_key)),
    warnings,
  );
  return { dir, providers, rotations, server, clientKeys, warnings };
}

function hasLiteralKey(value: string | undefined): boolean {
  return value !== undefined && value !== "" && !/^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(value);
}

/** A key written into a file others can read is a key others have: say so at start-up. */
function warnIfExposed(path: string, holdsKey: boolean, warnings: string[]): void {
  if (!holdsKey) return;
  try {
    const mode = statSync(path).mode;
    if ((mode & 0o077) !== 0) {
      warnings.push(
        `${path} holds an API key and is readable by other users (mode ${(mode & 0o777).toString(8)}): chmod 600 it, or use "\${ENV_VAR}" references`,
      );
    }
  } catch {
    // Already read above; a stat failure here changes nothing.
  }
}
