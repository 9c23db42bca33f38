// Reads and validates the config directory: first-run copy of the defaults, strict parsing, ${ENV} filling.
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { z } from "zod";
import { type ClientKey, resolveClientKeys } from "./client-keys.ts";
import { ConfigError, osReason } from "./config-error.ts";
import { DEFAULT_FILES } from "./defaults.ts";
import { applyFirstRun, planFirstRun } from "./first-run.ts";
import { interpolateEnv } from "./interpolate.ts";
import { findJsonSyntaxProblem } from "./json-syntax.ts";
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
  /** rotations.json's model_aliases: client-side names to "<provider>/<model>" or a rotation (resolve.ts). */
  modelAliases?: Record<string, string>;
  server: ServerFile;
  /** Client API keys; empty means client authentication is off. */
  clientKeys: ClientKey[];
  /** Things worth saying at start-up that do not stop it (a key variable that is not set...). */
  warnings: string[];
}

export { ConfigError } from "./config-error.ts";
export { ensureConfigDir } from "./first-run.ts";

/** Editors on Windows save UTF-8 with a byte order mark; JSON.parse would call it an unexpected token. */
const BYTE_ORDER_MARK = "\uFEFF";

/**
 * A JSON config file, parsed; undefined if it is missing and not `required`. A syntax error is a ConfigError
 * whose message starts `path:line:column:`, the form editors and terminals jump to.
 */
export function readJsonFile(path: string, required: boolean): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if (!required && (error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new ConfigError(`${path}: cannot read: ${osReason(error)}`);
  }
  if (text.startsWith(BYTE_ORDER_MARK)) text = text.slice(1);
  try {
    return JSON.parse(text);
  } catch (error) {
    const found = findJsonSyntaxProblem(text);
    if (!found) throw new ConfigError(`${path}: not valid JSON: ${(error as Error).message}`);
    throw new ConfigError(`${path}:${found.line}:${found.column}: not valid JSON: ${found.problem}`);
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

/** Every alias points at a rotation or at "<provider>/<model>" of a configured provider. */
function checkAliases(
  aliases: Record<string, string>,
  rotations: Record<string, RotationConfig>,
  providers: Record<string, ProviderConfig>,
  path: string,
): void {
  const problems: string[] = [];
  for (const [name, target] of Object.entries(aliases)) {
    if (rotations[target]) continue;
    const slash = target.indexOf("/");
    if (slash > 0 && providers[target.slice(0, slash)] && slash < target.length - 1) continue;
    problems.push(
      `  model_aliases.${name}: '${target}' is neither a rotation nor "<provider>/<model>" of a configured provider`,
    );
  }
  if (problems.length > 0) throw new ConfigError(`${path}: invalid config:\n${problems.join("\n")}`);
}

export interface PreparedConfig {
  config: LoadedConfig;
  /** Default files the first run wrote (or, without `write`, would write). */
  firstRun: string[];
}

/**
 * The first run and the load, as `serve` and `daemon` do them. Without `write` (`config check`) nothing is written:
 * a default file not there yet is read from the built-in defaults, and a directory the first run could not create
 * or write fails the same way, so check and serve never disagree.
 */
export function prepareConfig(
  dir: string,
  env: Record<string, string | undefined>,
  options: { write: boolean },
): PreparedConfig {
  const plan = planFirstRun(dir);
  if (options.write) {
    const firstRun = applyFirstRun(plan);
    return { config: loadConfig(dir, env), firstRun };
  }
  const pending = Object.fromEntries(plan.files.map((name) => [name, DEFAULT_FILES[name]]));
  return { config: loadConfig(dir, env, pending), firstRun: plan.files.map((name) => join(dir, name)) };
}

/**
 * Loads providers.json, rotations.json and (optional) aisbf.json from `dir`; `pending` stands in for files the
 * first run has yet to write. Throws ConfigError.
 */
export function loadConfig(
  dir: string,
  env: Record<string, string | undefined>,
  pending: Readonly<Record<string, unknown>> = {},
): LoadedConfig {
  const warnings: string[] = [];
  const providersPath = join(dir, "providers.json");
  const rotationsPath = join(dir, "rotations.json");
  const serverPath = join(dir, "aisbf.json");
  const read = (path: string, name: string) => (name in pending ? pending[name] : readJsonFile(path, true));

  const providersFile = parseWith(providersFileSchema, read(providersPath, "providers.json"), providersPath);
  const providers = resolveProviders(providersFile, providersPath, env, warnings);
  const rotationsFile = parseWith(rotationsFileSchema, read(rotationsPath, "rotations.json"), rotationsPath);
  const rotations = rotationsFile.rotations;
  checkRotations(rotations, providers, rotationsPath);
  const modelAliases = rotationsFile.model_aliases ?? {};
  checkAliases(modelAliases, rotations, providers, rotationsPath);
  const serverRaw = readJsonFile(serverPath, false);
  const server = serverRaw === undefined ? {} : parseWith(serverFileSchema, serverRaw, serverPath);
  if (server.state)
    server.state = { ...server.state, redis: resolveRedisUrl(server.state.redis, env, serverPath) };
  const { keys: clientKeys, problems } = resolveClientKeys(server.auth?.keys ?? [], env);
  if (problems.length > 0)
    throw new ConfigError(`${serverPath}: invalid config:\n  ${problems.join("\n  ")}`);
  warnIfExposed(
    providersPath,
    Object.values(providersFile.providers).some((p) => hasLiteralKey(p.api_key)),
    warnings,
  );
  return { dir, providers, rotations, modelAliases, server, clientKeys, warnings };
}

/** state.redis with its ${ENV} references filled: a URL ioredis can open, or a ConfigError naming what is wrong. */
function resolveRedisUrl(raw: string, env: Record<string, string | undefined>, path: string): string {
  const filled = interpolateEnv(raw, env);
  if (filled.value === undefined) {
    throw new ConfigError(`${path}: invalid config:\n  state.redis: ${filled.missing.join(", ")} is not set`);
  }
  let url: URL;
  try {
    url = new URL(filled.value);
  } catch {
    throw new ConfigError(`${path}: invalid config:\n  state.redis: not a URL (redis://host:port/db)`);
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") {
    throw new ConfigError(`${path}: invalid config:\n  state.redis: must start redis:// or rediss://`);
  }
  return filled.value;
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
