// Client authentication: Authorization: Bearer <key> or x-api-key: <key>, compared as SHA-256 digests in constant time.
import { timingSafeEqual } from "node:crypto";
import type { Context } from "hono";
import { AuthenticationError } from "../../api/errors.ts";
import { type ClientKey, sha256 } from "../../config/client-keys.ts";
import { bearerToken } from "../keys.ts";

/**
 * Every stored digest is compared, with no early exit, so the time taken says nothing about which keys exist or
 * how close a guess came. Hashing first makes every comparison the same length.
 */
export function findClientKey(keys: readonly ClientKey[], presented: string): ClientKey | undefined {
  const digest = sha256(presented);
  let found: ClientKey | undefined;
  for (const key of keys) {
    if (timingSafeEqual(key.digest, digest) && found === undefined) found = key;
  }
  return found;
}

export function presentedKey(c: Context): string | undefined {
  return bearerToken(c.req.header("authorization")) ?? c.req.header("x-api-key") ?? undefined;
}

/** The caller's client key; a missing or wrong key is a 401 that names no key. */
export function authenticate(c: Context, keys: readonly ClientKey[]): ClientKey {
  const presented = presentedKey(c);
  const key = presented === undefined ? undefined : findClientKey(keys, presented);
  if (!key) {
    throw new AuthenticationError(
      presented === undefined
        ? "This gateway requires an API key: send it as 'Authorization: Bearer <key>' or 'x-api-key: <key>'"
        : "The API key is not valid for this gateway",
    );
  }
  return key;
}
