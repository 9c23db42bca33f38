// createApp(deps) -> the Hono app: limits, auth, CORS, routes, and the one error mapping.
import { Hono } from "hono";
import { cors } from "hono/cors";
import { InvalidRequestError } from "../api/errors.ts";
import { Monitor } from "../observe/monitor.ts";
import { createPrefillRefusals } from "../routing/capabilities.ts";
import type { Route } from "../routing/dispatch.ts";
import { authorizeRoute, checkAllowed, forbidden } from "./access.ts";
import type { Admission } from "./admission.ts";
import { type BodyLimits, DEFAULT_BODY_TIMEOUT_MS, readJsonBody } from "./body.ts";
import { BodyDeadlines } from "./body-deadline.ts";
import { allowedOrigins } from "./cross-site.ts";
import { type AppDeps, type AppEnv, clientAuthOn, DEFAULT_MAX_BODY_BYTES, type ServingDeps } from "./deps.ts";
import { type AppContext, createGate, errorAnswer, type Gate } from "./gate.ts";
import { bearerToken } from "./keys.ts";
import { createMemoryRateLimiter } from "./rate-limit.ts";
import { resolveModelRoute, resolvePathRoute, rotationRoute } from "./resolve.ts";
import { readChatRequest, serveChat } from "./routes/chat.ts";
import { readCountTokensRequest, serveCountTokens } from "./routes/count-tokens.ts";
import { addDashboardRoutes } from "./routes/dashboard.ts";
import { type MessagesNotices, readMessagesRequest, serveMessages } from "./routes/messages.ts";
import { createModelLister, gatewayModels, rotationModels } from "./routes/models.ts";
import { addMonitoringRoutes } from "./routes/monitoring.ts";
import { readResponsesRequest, serveResponses } from "./routes/responses.ts";
import { healthBody, livenessBody, statusBody } from "./routes/status.ts";
import { visibleTo } from "./visibility.ts";

const ID_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

type App = Hono<AppEnv>;

/** A path id reaches routing only if it is a valid id: no encoded slashes, dots-only names or control bytes. */
function checkId(id: string): string {
  if (!ID_SEGMENT.test(id)) {
    throw new InvalidRequestError("The provider or rotation id in the path is not a valid id", {
      status: 404,
      code: "model_not_found",
    });
  }
  return id;
}

export function createApp(given: AppDeps): App {
  const deps: ServingDeps = {
    ...given,
    prefillRefusals: given.prefillRefusals ?? createPrefillRefusals(),
    monitor:
      given.monitor ??
      new Monitor({
        config: given.config,
        health: given.health,
        logger: given.logger,
        version: given.version,
        clock: given.clock,
      }),
    rateLimiter: given.rateLimiter ?? createMemoryRateLimiter(given.clock),
  };
  const app = new Hono<AppEnv>();
  // CORS is the only middleware, and only when configured; every other check runs inside the route (gate.ts).
  useCors(app, deps);
  const gate = createGate(deps);
  // Liveness for anyone (probes, `aisbf status`); with client keys on, the per-provider detail (error texts,
  // config dir) only for a caller with a valid key, and only as far as that key may use.
  app.get(
    "/health",
    gate.open((c, key, trace) => {
      trace.quiet = true;
      return c.json(!clientAuthOn(deps.config) || key ? healthBody(deps, key) : livenessBody(deps));
    }),
  );
  app.get(
    "/",
    gate.keyed((c, admission) => c.json(statusBody(deps, admission.key))),
  );
  addChatRoutes(app, deps, gate);
  addResponsesRoutes(app, deps, gate);
  addMessagesRoutes(app, deps, gate);
  addModelRoutes(app, deps, gate);
  addMonitoringRoutes(app, deps, gate);
  addDashboardRoutes(app, deps, gate);
  handleErrors(app, deps, gate);
  return app;
}

/**
 * No CORS unless origins are listed: a web page must not spend the gateway's keys from a visitor's browser. This
 * answers preflights and adds the headers; a request from an origin not listed is refused in the gate (403).
 */
function useCors(app: App, deps: AppDeps): void {
  const origins = allowedOrigins(deps.config);
  if (origins.length === 0) return;
  app.use(
    cors({
      origin: origins.includes("*") ? "*" : origins,
      allowHeaders: ["authorization", "x-api-key", "content-type", "anthropic-version", "anthropic-beta"],
      exposeHeaders: [
        "x-aisbf-provider",
        "x-aisbf-model",
        "x-aisbf-attempts",
        "x-aisbf-warnings",
        "retry-after",
        "x-aisbf-token-count",
      ],
    }),
  );
}

/** Resolves the client's model name to a route the caller's key may use (403 or 429 otherwise). */
export type RouteResolver = (model: string) => Promise<Route>;

/** A dialect's POST handler: given the admitted request's parsed body and how to resolve its model. */
export type DialectHandler = (
  c: AppContext,
  admission: Admission,
  json: unknown,
  resolve: RouteResolver,
) => Promise<Response>;

export interface DialectPaths {
  /** The path on which the body's model names the target ("/v1/chat/completions"). */
  global: string;
  /** The path (or paths) under /api/{id} on which `id` picks the provider or rotation ("/chat/completions"). */
  perTarget: string | string[];
  /** On the per-target path, a model the provider does not list is substituted (resolve.ts). */
  substitute?: boolean;
}

/**
 * Mounts one dialect's endpoint twice, on /v1 and under /api/{id}: the body is read within the limits, the model
 * resolved and the key's allow-lists and rate checked the same way for every dialect.
 */
export function addDialectRoutes(
  app: App,
  deps: ServingDeps,
  gate: Gate,
  paths: DialectPaths,
  handle: DialectHandler,
): void {
  const { config } = deps;
  const body: BodyLimits = {
    maxBytes: deps.maxBodyBytes ?? config.server.max_body_bytes ?? DEFAULT_MAX_BODY_BYTES,
    deadlines: new BodyDeadlines(config.server.body_timeout_ms ?? DEFAULT_BODY_TIMEOUT_MS),
  };
  const limiter = deps.rateLimiter;
  const budgets = { usage: deps.monitor.usage, clock: deps.clock };
  const substitute = { substitute: paths.substitute === true };

  const perTarget = gate.keyed(async (c, admission) => {
    const id = checkId(c.req.param("id") ?? "");
    checkAllowed(admission.key, id);
    const json = await readJsonBody(c.req.raw, body, admission);
    return handle(c, admission, json, async (model) => {
      const route = resolvePathRoute(config, id, model, substitute);
      await authorizeRoute(admission, route, limiter, budgets);
      return route;
    });
  });
  for (const path of typeof paths.perTarget === "string" ? [paths.perTarget] : paths.perTarget) {
    app.post(`/api/:id${path}`, perTarget);
  }

  app.post(
    paths.global,
    gate.keyed(async (c, admission) => {
      const json = await readJsonBody(c.req.raw, body, admission);
      return handle(c, admission, json, async (model) => {
        const route = resolveModelRoute(config, model);
        await authorizeRoute(admission, route, limiter, budgets);
        return route;
      });
    }),
  );
}

function addChatRoutes(app: App, deps: ServingDeps, gate: Gate): void {
  addDialectRoutes(
    app,
    deps,
    gate,
    { global: "/v1/chat/completions", perTarget: "/chat/completions" },
    async (c, admission, json, resolve) => {
      const request = readChatRequest(json);
      return serveChat(deps, c, request, await resolve(request.model), admission);
    },
  );
}

/**
 * The Responses API: /v1/responses, and /api/{id}/v1/responses for a client whose base URL is /api/{id}/v1 (Codex
 * appends /responses to it), as well as /api/{id}/responses. Clients with fixed model names are why the per-target
 * path substitutes an unlisted model.
 */
function addResponsesRoutes(app: App, deps: ServingDeps, gate: Gate): void {
  addDialectRoutes(
    app,
    deps,
    gate,
    { global: "/v1/responses", perTarget: ["/v1/responses", "/responses"], substitute: true },
    async (c, admission, json, resolve) => {
      const request = readResponsesRequest(json);
      return serveResponses(deps, c, request, await resolve(request.model), admission);
    },
  );
}

/**
 * The Anthropic Messages API: /v1/messages and /api/{id}/v1/messages (ANTHROPIC_BASE_URL=.../api/{id}; the SDK
 * appends /v1/messages and Claude Code a ?beta=true query), and their count_tokens. Claude Code's fixed model names
 * are why the per-target path substitutes an unlisted model.
 */
function addMessagesRoutes(app: App, deps: ServingDeps, gate: Gate): void {
  let billingLineLogged = false;
  const notices: MessagesNotices = {
    billingLineDropped() {
      if (billingLineLogged) return;
      billingLineLogged = true;
      deps.logger.warn(
        "Claude Code's billing line (x-anthropic-billing-header, first system block) is left out of prompts for " +
          "providers other than Anthropic: it changes on every request and would defeat their prompt caches",
      );
    },
  };
  addDialectRoutes(
    app,
    deps,
    gate,
    { global: "/v1/messages", perTarget: "/v1/messages", substitute: true },
    async (c, admission, json, resolve) => {
      const request = readMessagesRequest(json);
      return serveMessages(deps, c, request, await resolve(request.model), admission, notices);
    },
  );
  addDialectRoutes(
    app,
    deps,
    gate,
    { global: "/v1/messages/count_tokens", perTarget: "/v1/messages/count_tokens", substitute: true },
    async (c, _admission, json, resolve) => {
      const request = readCountTokensRequest(json);
      return serveCountTokens(deps, c, request, await resolve(request.model));
    },
  );
}

function addModelRoutes(app: App, deps: AppDeps, gate: Gate): void {
  const { config } = deps;
  const models = createModelLister(deps);
  const authOn = clientAuthOn(config);

  app.get(
    "/api/:id/models",
    gate.keyed(async (c, { key }) => {
      const id = checkId(c.req.param("id") ?? "");
      checkAllowed(key, id);
      const provider = config.providers[id];
      // A key with a models list lists only what it may use: neither a provider nor a rotation beyond it, and of a
      // provider only the models it names (the upstream is asked with the operator's key).
      const visible = visibleTo(config, key);
      if (provider) {
        if (!visible.provider(id)) throw forbidden(`'${id}'`);
        const callerToken = authOn ? undefined : bearerToken(c.req.header("authorization"));
        const entries = await models.providerModels(provider, callerToken);
        const usable = key?.models;
        return c.json(
          models.list(usable ? entries.filter((entry) => usable.includes(`${id}/${entry.id}`)) : entries),
        );
      }
      if (rotationRoute(config, id)) {
        if (!visible.rotation(id)) throw forbidden(`'${id}'`);
        return c.json(models.list(rotationModels(deps, id)));
      }
      throw new InvalidRequestError(`Unknown provider or rotation '${id}'`, {
        status: 404,
        code: "model_not_found",
      });
    }),
  );

  app.get(
    "/v1/models",
    gate.keyed((c, { key }) => c.json(models.list(gatewayModels(deps, key)))),
  );
}

/** Every error becomes HTTP in errors.ts, with secrets redacted: in the gate for routes, here for anything else. */
function handleErrors(app: App, deps: ServingDeps, gate: Gate): void {
  app.notFound(gate.notFound);
  app.onError((thrown, c) => errorAnswer(deps, c, thrown));
}
