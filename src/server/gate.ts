// What every request passes before its route's work: Host and Origin (cross-site requests), the header-size limit,
// then the client key and a concurrency slot (per key, or per client address with keys off). A wrapper inside each
// route's handler, not Hono middleware: with one handler per route Hono calls it directly, while any middleware
// makes it compose a chain for every request, which measured ~8 µs of CPU per chat completion (bench/RESULTS.md).
import type { Context } from "hono";
import type { ClientKey } from "../config/client-keys.ts";
import type { Connections } from "../runtime/types.ts";
import {
  Admission,
  type AdmissionPool,
  BodyBudget,
  DEFAULT_MAX_BODY_BYTES_IN_FLIGHT,
  DEFAULT_MAX_CONCURRENT_PER_ADDRESS,
  DEFAULT_MAX_CONCURRENT_PER_KEY,
  InFlightCounts,
} from "./admission.ts";
import { isLoopback } from "./bind-safety.ts";
import { createCrossSiteCheck } from "./cross-site.ts";
import { type AppDeps, type AppEnv, clientAuthOn } from "./deps.ts";
import { authenticate, findClientKey, presentedKey } from "./middleware/auth.ts";
import { checkHeaderSize, DEFAULT_MAX_HEADER_BYTES } from "./middleware/limits.ts";

export type AppContext = Context<AppEnv>;
/** /health's work, given the caller's client key when it sent a valid one (undefined with keys off). */
export type OpenHandler = (c: AppContext, key: ClientKey | undefined) => Response | Promise<Response>;
/** A route's own work, given what the gate admitted (the caller's key, the request's holds). */
export type AdmittedHandler = (c: AppContext, admission: Admission) => Response | Promise<Response>;
export type Handler = (c: AppContext) => Response | Promise<Response>;

export interface Gate {
  /** Host, Origin and header limit only: liveness (/health) answers without a key. */
  open(handler: OpenHandler): Handler;
  /** Host, Origin, header limit, client key (401), concurrency slot (429), held until the answer is sent. */
  keyed(handler: AdmittedHandler): Handler;
  /** Host, Origin, header limit and client key without a route (the 404 answer): throws what `keyed` would. */
  admit(c: AppContext): void;
}

/** The runtime's connection controls; app.request() (tests) passes none. */
function connectionsOf(c: AppContext): Connections | undefined {
  return c.env as Connections | undefined;
}

export function createGate(deps: AppDeps): Gate {
  const { config } = deps;
  const maxHeaderBytes = config.server.max_header_bytes ?? DEFAULT_MAX_HEADER_BYTES;
  const authOn = clientAuthOn(config);
  const perKey = config.server.max_concurrent_per_key ?? DEFAULT_MAX_CONCURRENT_PER_KEY;
  const perAddress = config.server.max_concurrent_per_address ?? DEFAULT_MAX_CONCURRENT_PER_ADDRESS;
  // On a loopback listener every client is this machine: one address, and no address lookup per request (Bun's
  // requestIP allocates, ~0.7 µs).
  const oneAddress = deps.listenHost === undefined || isLoopback(deps.listenHost);
  const pool: AdmissionPool = {
    counts: new InFlightCounts(),
    budget: new BodyBudget(config.server.max_body_bytes_in_flight ?? DEFAULT_MAX_BODY_BYTES_IN_FLIGHT),
  };
  const checkCrossSite = createCrossSiteCheck(config, deps.listenHost);

  const screen = (c: AppContext) => {
    const headers = c.req.raw.headers;
    checkCrossSite(headers);
    checkHeaderSize(headers, maxHeaderBytes);
  };

  const admitted = (c: AppContext, key: ClientKey | undefined): Admission => {
    const request = c.req.raw;
    const connections = connectionsOf(c);
    if (key) {
      pool.counts.take(key.name, key.maxConcurrent ?? perKey, "this key");
      return new Admission(key, pool, key.name, request, connections);
    }
    const address = oneAddress ? "loopback" : (connections?.clientAddress(request) ?? "unknown");
    pool.counts.take(address, perAddress, "this client address");
    return new Admission(undefined, pool, address, request, connections);
  };

  return {
    open: (handler) => (c) => {
      screen(c);
      const presented = authOn ? presentedKey(c) : undefined;
      const key = presented === undefined ? undefined : findClientKey(config.clientKeys, presented);
      return handler(c, key);
    },
    keyed: (handler) => (c) => {
      screen(c);
      const key = authOn ? authenticate(c, config.clientKeys) : undefined;
      return serveAdmitted(handler, c, admitted(c, key));
    },
    admit(c) {
      screen(c);
      if (authOn) authenticate(c, config.clientKeys);
    },
  };
}

/** Runs the route; whatever it holds is given back once it answers, unless its stream took the hold over. */
async function serveAdmitted(
  handler: AdmittedHandler,
  c: AppContext,
  admission: Admission,
): Promise<Response> {
  try {
    const response = await handler(c, admission);
    admission.settle();
    return response;
  } catch (thrown) {
    admission.end();
    throw thrown;
  }
}
