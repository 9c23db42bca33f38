// What every request passes before its route's work: Host and Origin (cross-site requests), the header-size limit,
// then the client key and a concurrency slot (per key, or per client address with keys off); and its trace, from
// arrival to the end of its answer (x-request-id, the access log). A wrapper inside each route's handler, not Hono
// middleware: with one handler per route Hono calls it directly, while any middleware makes it compose a chain for
// every request, which measured ~8 µs of CPU per chat completion (bench/RESULTS.md).
import type { Context } from "hono";
import { GatewayError } from "../api/errors.ts";
import type { ClientKey } from "../config/client-keys.ts";
import type { RequestTrace } from "../observe/trace.ts";
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
import { type AppEnv, clientAuthOn, configuredSecrets, type ServingDeps } from "./deps.ts";
import { errorResponse, errorShapeOf, toGatewayError } from "./errors.ts";
import { authenticate, findClientKey, presentedKey } from "./middleware/auth.ts";
import { checkHeaderSize, DEFAULT_MAX_HEADER_BYTES } from "./middleware/limits.ts";

export type AppContext = Context<AppEnv>;
/** /health's work, given the caller's client key when it sent a valid one (undefined with keys off). */
export type OpenHandler = (
  c: AppContext,
  key: ClientKey | undefined,
  trace: RequestTrace,
) => Response | Promise<Response>;
/** A route's own work, given what the gate admitted (the caller's key, the request's holds). */
export type AdmittedHandler = (c: AppContext, admission: Admission) => Response | Promise<Response>;
export type Handler = (c: AppContext) => Response | Promise<Response>;

export interface Gate {
  /** Host, Origin and header limit only: liveness (/health) answers without a key. */
  open(handler: OpenHandler): Handler;
  /** Host, Origin, header limit, client key (401), concurrency slot (429), held until the answer is sent. */
  keyed(handler: AdmittedHandler): Handler;
  /** Host, Origin, header limit and client key, then the 404 of a path no route serves. */
  notFound: Handler;
}

/** The runtime's connection controls; app.request() (tests) passes none. */
function connectionsOf(c: AppContext): Connections | undefined {
  return c.env as Connections | undefined;
}

export function createGate(deps: ServingDeps): Gate {
  const { config, monitor } = deps;
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

  const admitted = (c: AppContext, key: ClientKey | undefined, trace: RequestTrace): Admission => {
    const request = c.req.raw;
    const connections = connectionsOf(c);
    if (key) {
      pool.counts.take(key.name, key.maxConcurrent ?? perKey, "this key");
      const configured = key.maxConcurrent ?? config.server.max_concurrent_per_key;
      return new Admission(key, pool, key.name, request, connections, trace, configured);
    }
    const address = oneAddress ? "loopback" : (connections?.clientAddress(request) ?? "unknown");
    pool.counts.take(address, perAddress, "this client address");
    return new Admission(undefined, pool, address, request, connections, trace);
  };

  /** Runs `work` under the request's trace: an error becomes its HTTP answer here, and the answer carries the id. */
  const traced =
    (work: (c: AppContext, trace: RequestTrace) => Response | Promise<Response>): Handler =>
    async (c) => {
      const trace = monitor.start(c.req.method, c.req.path);
      let response: Response;
      try {
        response = await work(c, trace);
      } catch (thrown) {
        const error = toGatewayError(thrown, deps.logger);
        trace.errorCode = error.code ?? error.type;
        if (!trace.target && error.headers["x-aisbf-provider"] !== undefined) {
          trace.target = {
            providerId: error.headers["x-aisbf-provider"],
            model: error.headers["x-aisbf-model"] ?? "",
          };
        }
        response = errorAnswer(deps, c, error);
      }
      if (!trace.idSent) response.headers.set("x-request-id", trace.id);
      // A stream's trace ends with the stream (serve.ts); every other answer is complete here.
      if (!trace.streaming) trace.finish(response.status);
      return response;
    };

  const keyOf = (c: AppContext, trace: RequestTrace): ClientKey | undefined => {
    screen(c);
    const key = authOn ? authenticate(c, config.clientKeys) : undefined;
    trace.keyName = key?.name;
    return key;
  };

  return {
    open: (handler) =>
      traced((c, trace) => {
        screen(c);
        const presented = authOn ? presentedKey(c) : undefined;
        const key = presented === undefined ? undefined : findClientKey(config.clientKeys, presented);
        trace.keyName = key?.name;
        return handler(c, key, trace);
      }),
    keyed: (handler) => traced((c, trace) => serveAdmitted(handler, c, admitted(c, keyOf(c, trace), trace))),
    // As on every route: an oversize header set is a 431, and with client keys on a caller without one learns
    // nothing, not even which paths do not exist.
    notFound: traced((c, trace) => {
      keyOf(c, trace);
      throw new GatewayError(`No route for ${c.req.method} ${c.req.path}`, {
        status: 404,
        type: "invalid_request_error",
        code: "unknown_url",
      });
    }),
  };
}

/** An error as its HTTP answer, in the shape its path's clients read, with every secret the gateway knows scrubbed. */
export function errorAnswer(deps: ServingDeps, c: AppContext, thrown: unknown): Response {
  const presented = presentedKey(c);
  const secrets = [...configuredSecrets(deps.config), ...(presented ? [presented] : [])];
  return errorResponse(thrown, deps.logger, secrets, errorShapeOf(c.req.path));
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
