// One dialect-neutral way to serve a validated request: route it through the one dispatcher, then answer in the
// client's dialect (its JSON, or its stream of events). Each dialect gives only its renderings (DialectServing).
import type { Context } from "hono";
import { GatewayError } from "../../api/errors.ts";
import type { Dialect } from "../../canonical/dialect.ts";
import type { CanonicalResponse } from "../../canonical/response.ts";
import { redactText } from "../../log/logger.ts";
import type { RequestTrace } from "../../observe/trace.ts";
import { type ClientRequest, dispatch, type Route, type Served } from "../../routing/dispatch.ts";
import type { Admission } from "../admission.ts";
import type { ServingDeps } from "../deps.ts";
import { clientAuthOn, configuredSecrets } from "../deps.ts";
import type { KeepAlive } from "../keep-alive.ts";
import { bearerToken, upstreamKey } from "../keys.ts";
import { renderedSource, type StreamRenderer } from "../rendered-stream.ts";
import { type StreamEnding, toSSE } from "../sse.ts";

/** What a client dialect adds to serving: how it renders an answer, a stream and a failure after commit. */
export interface DialectServing {
  /** An upstream answer (or frame) in this dialect is sent as it came. */
  dialect: Dialect;
  /** A whole answer's body, rendered from the canonical answer. */
  renderCompletion(response: CanonicalResponse): string;
  /** A fresh renderer for one stream's frames. */
  streamRenderer(): StreamRenderer;
  /** How one stream ends: its final event, and its in-band error event (secrets scrubbed by `secrets`). */
  streamEnding(secrets: () => string[]): StreamEnding;
  /** The event this dialect sends into an upstream's silences (Anthropic's ping), if it has one. */
  keepAliveEvent?: string;
}

/**
 * Anthropic's stream pings in its silences; Claude Code shows "waiting for API response" after ~20 s without a
 * byte, and LiteLLM pings after 15 s (https://github.com/BerriAI/litellm/pull/36024): half that leaves room.
 */
export const DEFAULT_STREAM_PING_MS = 10_000;

function keepAliveOf(deps: ServingDeps, serving: DialectServing): KeepAlive | undefined {
  const everyMs = deps.config.server.stream_ping_ms ?? DEFAULT_STREAM_PING_MS;
  return serving.keepAliveEvent !== undefined && everyMs > 0
    ? { event: serving.keepAliveEvent, everyMs }
    : undefined;
}

/** Header values must be printable ASCII; warnings may quote model output or names. */
function headerSafe(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, "?").slice(0, 4000);
}

/** The caller's own key, as either SDK family sends it: a bearer token or x-api-key. */
export function callerKey(c: Context): string | undefined {
  return bearerToken(c.req.header("authorization")) ?? c.req.header("x-api-key") ?? undefined;
}

/** Dispatches `request` over `route`; the deps routing runs with are built here, once per request. */
export function dispatchFor(
  deps: ServingDeps,
  c: Context,
  request: ClientRequest,
  route: Route,
  trace: RequestTrace,
): { served: Promise<Served>; secrets: () => string[] } {
  const callerToken = callerKey(c);
  const clientAuth = clientAuthOn(deps.config);
  // Only an error needs the secrets to redact; a request that succeeds never builds the list.
  let secretList: string[] | undefined;
  const secrets = () => {
    secretList ??= [...configuredSecrets(deps.config), ...(callerToken ? [callerToken] : [])];
    return secretList;
  };
  const served = dispatch(
    {
      adapters: deps.adapters,
      providers: deps.config.providers,
      health: deps.health,
      prefillRefusals: deps.prefillRefusals,
      clock: deps.clock,
      random: deps.random,
      logger: deps.logger,
      keyFor: (provider) => upstreamKey(provider, callerToken, clientAuth),
      redact: (text) => redactText(text, secrets()),
      observer: trace,
    },
    route,
    request,
    c.req.raw.signal,
  );
  return { served, secrets };
}

/** The x-aisbf-* headers of an answer: who answered, after how many attempts, and what was changed on the way. */
export function servedHeaders(served: Served, route: Route): Record<string, string> {
  // A plain record: the runtime builds the response's headers once instead of through a Headers object.
  const headers: Record<string, string> = {
    "x-aisbf-provider": served.target.providerId,
    "x-aisbf-model": served.target.model,
    "x-aisbf-attempts": String(served.attempts),
  };
  const warnings = route.warnings ? [...route.warnings, ...served.warnings] : served.warnings;
  if (warnings.length > 0) headers["x-aisbf-warnings"] = headerSafe(warnings.join("; "));
  return headers;
}

export async function serveDialect(
  deps: ServingDeps,
  c: Context,
  serving: DialectServing,
  request: ClientRequest,
  route: Route,
  admission: Pick<Admission, "untilStreamEnds" | "trace">,
): Promise<Response> {
  const { trace } = admission;
  trace.dialect = serving.dialect;
  trace.route = route.name;
  const dispatched = dispatchFor(deps, c, request, route, trace);
  const served = await dispatched.served;
  trace.target = served.target;
  const headers = servedHeaders(served, route);
  headers["x-request-id"] = trace.id;
  trace.idSent = true;
  if (served.kind === "completion") {
    headers["content-type"] = "application/json";
    // The upstream's own bytes when it spoke the client's dialect; a rendering otherwise.
    let body: string;
    if (served.raw?.dialect === serving.dialect) {
      body = served.raw.body;
      trace.usage = served.usage?.();
    } else {
      const response = served.response();
      trace.usage = response.usage;
      body = serving.renderCompletion(response);
    }
    return new Response(body, { status: 200, headers });
  }
  headers["content-type"] = "text/event-stream; charset=utf-8";
  headers["cache-control"] = "no-cache";
  headers["x-accel-buffering"] = "no";
  trace.committed();
  // The request's hold (its concurrency slot, body bytes and open connection) lasts as long as its stream, and so
  // does its trace.
  const release = admission.untilStreamEnds();
  const ending = serving.streamEnding(dispatched.secrets);
  const body = toSSE(
    renderedSource(served.chunks, serving.streamRenderer(), trace),
    {
      finalEvent: ending.finalEvent,
      errorEvent: (thrown) => {
        trace.failedInBand(thrown instanceof GatewayError ? thrown.code : null);
        return ending.errorEvent(thrown);
      },
    },
    {
      writer: deps.sseWriter,
      stopping: deps.stopping,
      keepAlive: keepAliveOf(deps, serving),
      onEnd: () => {
        release();
        trace.finish(200);
      },
    },
  );
  return new Response(body, { status: 200, headers });
}
