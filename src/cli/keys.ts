// `aisbf keys add|list|remove`: client API keys in aisbf.json, stored only as SHA-256 hashes.
import { randomBytes } from "node:crypto";
import { chmodSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { hashedKeyValue } from "../config/client-keys.ts";
import { ConfigError, ensureConfigDir, formatIssuePath, readJsonFile } from "../config/load.ts";
import { resolveConfigDir } from "../config/paths.ts";
import { type ServerFile, serverFileSchema } from "../config/schema.ts";
import { countValue, rejectEmptyValues } from "./flag-values.ts";
import { UsageError } from "./usage-error.ts";

export const KEYS_HELP = `Usage: aisbf keys <add NAME | list | remove NAME> [--config-dir DIR]

Client API keys for the gateway, kept in aisbf.json under auth.keys as SHA-256 hashes.
Once any key exists, every request needs one (Authorization: Bearer <key> or x-api-key: <key>).

  add NAME      generate a key, print it once, store only its hash
                options: --allow ID (repeatable: providers/rotations it may use), --rpm N (requests per minute),
                --tokens-per-day N (input + output tokens per UTC day), --admin (sees every key's usage)
  list          names and limits of the configured keys (never a key)
  remove NAME   delete a key
`;

function readServerFile(path: string): ServerFile {
  const raw = readJsonFile(path, false);
  if (raw === undefined) return {};
  const parsed = serverFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(
      `${path}: invalid config:\n  ${issue ? `${formatIssuePath(issue.path)}: ${issue.message}` : ""}`,
    );
  }
  return parsed.data;
}

/** Writes through a temporary file and a rename, 0600, so a crash never leaves half a config. */
function writeServerFile(path: string, content: ServerFile): void {
  const temporary = `${path}.tmp-${process.pid}`;
  writeFileSync(temporary, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}

export async function keysCommand(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      "config-dir": { type: "string" },
      allow: { type: "string", multiple: true },
      rpm: { type: "string" },
      "tokens-per-day": { type: "string" },
      admin: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    allowPositionals: true,
    strict: true,
  });
  rejectEmptyValues(values);
  const [action, name] = positionals;
  if (values.help || action === undefined) {
    process.stdout.write(KEYS_HELP);
    return values.help ? 0 : 2;
  }
  const { dir } = resolveConfigDir(values["config-dir"], env);
  ensureConfigDir(dir);
  const path = join(dir, "aisbf.json");
  const file = readServerFile(path);
  const keys = file.auth?.keys ?? [];

  if (action === "list") {
    if (keys.length === 0) process.stdout.write("no client keys: client authentication is off\n");
    for (const key of keys) {
      const limits = [
        key.allow ? `allow=${key.allow.join(",")}` : "",
        key.requests_per_minute ? `rpm=${key.requests_per_minute}` : "",
        key.tokens_per_day ? `tokens_per_day=${key.tokens_per_day}` : "",
        key.admin ? "admin" : "",
      ].filter(Boolean);
      process.stdout.write(`${key.name}${limits.length ? ` (${limits.join(" ")})` : ""}\n`);
    }
    return 0;
  }
  if (!name) throw new UsageError(`keys ${action}: a NAME is needed`);
  if (action === "remove") {
    if (!keys.some((key) => key.name === name)) throw new UsageError(`keys remove: no key named '${name}'`);
    writeServerFile(path, { ...file, auth: { keys: keys.filter((key) => key.name !== name) } });
    process.stdout.write(`removed key '${name}' from ${path}; restart the gateway to apply\n`);
    return 0;
  }
  if (action !== "add") throw new UsageError(`keys: unknown action '${action}'`);
  if (keys.some((key) => key.name === name))
    throw new UsageError(`keys add: a key named '${name}' exists already`);
  const rpm = values.rpm === undefined ? undefined : countValue("--rpm", values.rpm);
  const tokens =
    values["tokens-per-day"] === undefined
      ? undefined
      : countValue("--tokens-per-day", values["tokens-per-day"]);
  const secret = `aisbf-${randomBytes(32).toString("base64url")}`;
  const entry = {
    name,
    key: hashedKeyValue(secret),
    ...(values.allow ? { allow: values.allow } : {}),
    ...(rpm ? { requests_per_minute: rpm } : {}),
    ...(tokens ? { tokens_per_day: tokens } : {}),
    ...(values.admin ? { admin: true } : {}),
  };
  const next = { ...file, auth: { keys: [...keys, entry] } };
  // Validate before writing, so a bad NAME is refused without touching the file.
  const check = serverFileSchema.safeParse(next);
  if (!check.success) throw new UsageError(`keys add: ${check.error.issues[0]?.message ?? "invalid key"}`);
  writeServerFile(path, next);
  process.stdout.write(`${secret}\n`);
  process.stderr.write(
    `Stored the hash of key '${name}' in ${path}. This is the only time the key is shown: keep it now.\n` +
      "Restart the gateway to apply. Clients send it as 'Authorization: Bearer <key>' or 'x-api-key: <key>'.\n",
  );
  return 0;
}
