// Client API keys from aisbf.json, resolved to SHA-256 digests: the gateway compares hashes, never plaintext.
import { createHash } from "node:crypto";
import { interpolateEnv } from "./interpolate.ts";
import type { ClientKeyConfig } from "./schema.ts";

export interface ClientKey {
  name: string;
  /** SHA-256 of the key. */
  digest: Uint8Array;
  /** The key itself when it came from the environment (for redaction); never for hash-only keys. */
  plaintext?: string;
  allow?: string[];
  models?: string[];
  requestsPerMinute?: number;
  maxConcurrent?: number;
  tokensPerDay?: number;
  admin?: boolean;
}

export function sha256(text: string): Uint8Array {
  return new Uint8Array(createHash("sha256").update(text, "utf8").digest());
}

/** "sha256:<hex>" for a key, as `aisbf keys add` stores it. */
export function hashedKeyValue(key: string): string {
  return `sha256:${createHash("sha256").update(key, "utf8").digest("hex")}`;
}

/** Returns the resolved keys, or the problems (an unset variable, a duplicate name) for a ConfigError. */
export function resolveClientKeys(
  entries: readonly ClientKeyConfig[],
  env: Record<string, string | undefined>,
): { keys: ClientKey[]; problems: string[] } {
  const keys: ClientKey[] = [];
  const problems: string[] = [];
  const names = new Set<string>();
  entries.forEach((entry, index) => {
    if (names.has(entry.name)) problems.push(`auth.keys[${index}].name: '${entry.name}' is used twice`);
    names.add(entry.name);
    const base = {
      name: entry.name,
      ...(entry.allow ? { allow: entry.allow } : {}),
      ...(entry.models ? { models: entry.models } : {}),
      ...(entry.requests_per_minute ? { requestsPerMinute: entry.requests_per_minute } : {}),
      ...(entry.max_concurrent ? { maxConcurrent: entry.max_concurrent } : {}),
      ...(entry.tokens_per_day ? { tokensPerDay: entry.tokens_per_day } : {}),
      ...(entry.admin ? { admin: true } : {}),
    };
    if (entry.key.startsWith("sha256:")) {
      keys.push({ ...base, digest: Uint8Array.from(Buffer.from(entry.key.slice(7), "hex")) });
      return;
    }
    const filled = interpolateEnv(entry.key, env);
    if (filled.value === undefined || filled.value.length < 16) {
      problems.push(
        `auth.keys[${index}].key: ${filled.names.join(", ")} ${filled.value === undefined ? "is not set" : "must hold at least 16 characters"}`,
      );
      return;
    }
    keys.push({ ...base, digest: sha256(filled.value), plaintext: filled.value });
  });
  return { keys, problems };
}
