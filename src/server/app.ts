// createApp(deps) -> the Hono app: routes, body limit, and the one error mapping.
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { GatewayError, InvalidRequestError } from "../api/errors.ts";
import { bearerToken } from "./keys.ts";
import { type AppDeps, configuredSecrets, DEFAULT_MAX_BODY_BYTES } from "./deps.ts";
import { errorResponse } from "./errors.ts";
import { resolveModelRoute, resolvePathRoute, rotationRoute } from "./resolve.ts";
import { readChatRequest, serveChat } from "./routes/chat.ts";
import { createModelLister, gatewayModels, rotationModels } from "./routes/models.ts";
import { healthBody, statusBody } from "./routes/status.ts";

const ID_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  const maxBody = deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const models = createModelLister(deps);

  const limitBody = bodyLimit({
    maxSize: maxBody,
    onError: () => {
      throw new InvalidRequestError(`The request body is larger than the limit of ${maxBody} bytes`, {
        status: 413,
        code: "request_too_large",
      });
    },
  });

  function checkId(id: string): string {
    if (!ID_SEGMENT.test(id)) {
      throw new InvalidRequestError("The provider or rotation id in the path is not a valid id", {
        status: 404,
        code: "model_not_found",
      });
    }
    return id;
  }

  app.get("/", (c) => c.json(statusBody(deps)));
  app.get("/health", (c) => c.json(healthBody(deps)));

  app.post("/api/:id/chat/completions", limitBody, async (c) => {
    const id = checkId(c.req.param("id"));
    const request = await readChatRequest(c);
    return serveChat(deps, c, request, resolvePathRoute(deps.config, id, request.model));
  });

  app.post("/v1/chat/completions", limitBody, async (c) => {
    const request = await readChatRequest(c);
    return serveChat(deps, c, request, resolveModelRoute(deps.config, request.model));
  });

  app.get("/api/:id/models", async (c) => {
    const id = checkId(c.req.param("id"));
    const provider = deps.config.providers[id];
    if (provider) {
      return c.json(
        models.list(await models.providerModels(provider, bearerToken(c.req.header("authorization")))),
      );
    }
    if (rotationRoute(deps.config, id)) return c.json(models.list(rotationModels(deps, id)));
    throw new InvalidRequestError(`Unknown provider or rotation '${id}'`, {
      status: 404,
      code: "model_not_found",
    });
  });

  app.get("/v1/models", (c) => c.json(models.list(gatewayModels(deps))));

  app.notFound((c) => {
    const error = new GatewayError(`No route for ${c.req.method} ${new URL(c.req.url).pathname}`, {
      status: 404,
      type: "invalid_request_error",
      code: "unknown_url",
    });
    return errorResponse(error, deps.logger, []);
  });

  app.onError((thrown, c) => {
    const callerToken = bearerToken(c.req.header("authorization"));
    const secrets = [...configuredSecrets(deps.config), ...(callerToken ? [callerToken] : [])];
    return errorResponse(thrown, deps.logger, secrets);
  });

  return app;
}
