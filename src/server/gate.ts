// What every request passes before its route's work: the header-size limit, then (when configured) the client
// key and its per-key concurrency cap. A wrapper inside each route's handler, not Hono middleware: with one
// handler per route Hono calls it directly, while any middleware makes it compose a chain for every request,
// which measured ~8 µs of CPU per chat completion (bench/RESULTS.md).
import type { Context } from "hono";
import type { ClientKey } from "../config/client-keys.ts";
import { type AppDeps, clientAuthOn } from "./deps.ts";
import { authenticate } from "./middleware/auth.ts";
import {
  checkHeaderSize,
  concurrencyLimit,
  DEFAULT_MAX_CONCURRENT_PER_KEY,
  DEFAULT_MAX_HEADER_BYTES,
} from "./middleware/limits.ts";

/** A route's own work, given the caller's client key (undefined when client keys are off). */
export type GatedHandler = (c: Context, key: ClientKey | undefined) => Response | Promise<Response>;
export type Handler = (c: Context) => Response | Promise<Response>;

export interface Gate {
  /** Header limit only: liveness (/health) answers without a key. */
  open(handler: GatedHandler): Handler;
  /** Header limit, client key (401), concurrency cap (429). */
  keyed(handler: GatedHandler): Handler;
  /** Header limit and client key without a route (the 404 answer): throws what `keyed` would answer. */
  admit(c: Context): void;
}

export function createGate(deps: AppDeps): Gate {
  const { config } = deps;
  const maxHeaderBytes = config.server.max_header_bytes ?? DEFAULT_MAX_HEADER_BYTES;
  const authOn = clientAuthOn(config);
  const configuredCap = config.server.max_concurrent_per_key;
  // Without client keys and without a configured cap nothing is capped: no bookkeeping per request.
  const capped =
    !authOn && configuredCap === undefined
      ? undefined
      : concurrencyLimit(
          (key) => key?.maxConcurrent ?? configuredCap ?? (key ? DEFAULT_MAX_CONCURRENT_PER_KEY : undefined),
        );
  const checkHeaders = (c: Context) => checkHeaderSize(c.req.raw.headers, maxHeaderBytes);

  return {
    open: (handler) => (c) => {
      checkHeaders(c);
      return handler(c, undefined);
    },
    keyed: (handler) => (c) => {
      checkHeaders(c);
      const key = authOn ? authenticate(c, config.clientKeys) : undefined;
      return capped ? capped(key, () => handler(c, key)) : handler(c, key);
    },
    admit(c) {
      checkHeaders(c);
      if (authOn) authenticate(c, config.clientKeys);
    },
  };
}
