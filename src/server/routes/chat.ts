// POST /api/{id}/chat/completions and /v1/chat/completions: validate, route, answer as JSON or SSE.
import type { Context } from "hono";
import { type ChatRequest, chatRequestSchema } from "../../api/chat.ts";
import { InvalidRequestError } from "../../api/errors.ts";
import { formatIssuePath } from "../../config/load.ts";
import { dispatch, type Route } from "../../routing/dispatch.ts";
import type { Admission } from "../admission.ts";
import type { ServingDeps } from "../deps.ts";
import { clientAuthOn, configuredSecrets } from "../deps.ts";
import { errorBody, toGatewayError } from "../errors.ts";
import { bearerToken, upstreamKey } from "../keys.ts";
import { redactText } from "../../log/logger.ts";
import { MAX_JSON_DEPTH, nestsDeeperThan } from "../json-depth.ts";
import { toSSE } from "../sse.ts";
import { renderedSource } from "../rendered-stream.ts";
import { createChatStreamRenderer } from "../../api/openai-chat/render-stream.ts";
import { newId } from "../../ids.ts";
import { chatClientRequest } from "../../api/openai-chat/client-request.ts";
import { renderCompletion } from "../../api/openai-chat/render.ts";

/** The parsed body as a validated chat request, or a 400 that says what is wrong with it. */
export function readChatRequest(json: unknown): ChatRequest {
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new InvalidRequestError("The request body must be a JSON object", { code: "invalid_json" });
  }
  if (nestsDeeperThan(json, MAX_JSON_DEPTH)) {
    throw new InvalidRequestError(`The request body nests deeper than ${MAX_JSON_DEPTH} levels`, {
      code: "invalid_json",
    });
  }
  const parsed = chatRequestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue ? formatIssuePath(issue.path) : "(body)";
    throw new InvalidRequestError(`Invalid request: ${path}: ${issue?.message ?? "invalid value"}`, {
      param: path,
      code: "invalid_value",
    });
  }
  return parsed.data;
}

/** Header values must be printable ASCII; warnings may quote model output or names. */
function headerSafe(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, "?").slice(0, 4000);
}

export async function serveChat(
  deps: ServingDeps,
  c: Context,
  request: ChatRequest,
  route: Route,
  admission: Pick<Admission, "untilStreamEnds">,
): Promise<Response> {
  const callerToken = bearerToken(c.req.header("authorization"));
  const clientAuth = clientAuthOn(deps.config);
  // Only an error needs the secrets to redact; a request that succeeds never builds the list.
  let secretList: string[] | undefined;
  const secrets = () => {
    secretList ??= [...configuredSecrets(deps.config), ...(callerToken ? [callerToken] : [])];
    return secretList;
  };
  const served = await dispatch(
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
    },
    route,
    chatClientRequest(request),
    c.req.raw.signal,
  );
  // A plain record: the runtime builds the response's headers once instead of through a Headers object.
  const headers: Record<string, string> = {
    "x-aisbf-provider": served.target.providerId,
    "x-aisbf-model": served.target.model,
    "x-aisbf-attempts": String(served.attempts),
  };
  if (served.warnings.length > 0) headers["x-aisbf-warnings"] = headerSafe(served.warnings.join("; "));
  if (served.kind === "completion") {
    headers["content-type"] = "application/json";
    // The upstream's own bytes when it spoke the client's dialect; a rendering otherwise.
    const body =
      served.raw?.dialect === "openai-chat"
        ? served.raw.body
        : JSON.stringify(renderCompletion(served.response(), newId));
    return new Response(body, { status: 200, headers });
  }
  headers["content-type"] = "text/event-stream; charset=utf-8";
  headers["cache-control"] = "no-cache";
  headers["x-accel-buffering"] = "no";
  const renderer = createChatStreamRenderer({
    includeUsage: request.stream_options?.include_usage === true,
    newId,
  });
  // The request's hold (its concurrency slot, body bytes and open connection) lasts as long as its stream.
  const body = toSSE(
    renderedSource(served.chunks, renderer),
    (thrown) => JSON.stringify(errorBody(toGatewayError(thrown, deps.logger), secrets())),
    { writer: deps.sseWriter, stopping: deps.stopping, onEnd: admission.untilStreamEnds() },
  );
  return new Response(body, { status: 200, headers });
}
