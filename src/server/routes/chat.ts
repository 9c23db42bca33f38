// POST /api/{id}/chat/completions and /v1/chat/completions: validate, route, answer as JSON or SSE.
import type { Context } from "hono";
import { type ChatRequest, chatRequestSchema } from "../../api/chat.ts";
import { InvalidRequestError } from "../../api/errors.ts";
import { chatClientRequest } from "../../api/openai-chat/client-request.ts";
import { renderCompletion } from "../../api/openai-chat/render.ts";
import { createChatStreamRenderer } from "../../api/openai-chat/render-stream.ts";
import { formatIssuePath } from "../../config/load.ts";
import { newId } from "../../ids.ts";
import type { Logger } from "../../log/logger.ts";
import type { Route } from "../../routing/dispatch.ts";
import { frame } from "../../runtime/sse-writer.ts";
import type { Admission } from "../admission.ts";
import type { ServingDeps } from "../deps.ts";
import { errorBody, toGatewayError } from "../errors.ts";
import { MAX_JSON_DEPTH, nestsDeeperThan } from "../json-depth.ts";
import { type DialectServing, serveDialect } from "./serve.ts";

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

/** How an OpenAI Chat client is answered: chat.completion JSON, chunks, `data: [DONE]`, errors in OpenAI's shape. */
function chatServing(request: ChatRequest, logger: Logger): DialectServing {
  return {
    dialect: "openai-chat",
    renderCompletion: (response) => JSON.stringify(renderCompletion(response, newId)),
    streamRenderer: () =>
      createChatStreamRenderer({ includeUsage: request.stream_options?.include_usage === true, newId }),
    streamEnding: (secrets) => ({
      finalEvent: "data: [DONE]\n\n",
      errorEvent: (thrown) => frame(JSON.stringify(errorBody(toGatewayError(thrown, logger), secrets()))),
    }),
  };
}

export function serveChat(
  deps: ServingDeps,
  c: Context,
  request: ChatRequest,
  route: Route,
  admission: Pick<Admission, "untilStreamEnds" | "trace">,
): Promise<Response> {
  return serveDialect(
    deps,
    c,
    chatServing(request, deps.logger),
    chatClientRequest(request),
    route,
    admission,
  );
}
