// POST /api/{id}/v1/responses, /api/{id}/responses and /v1/responses: validate, route, answer as a response object
// or a stream of Responses events. https://platform.openai.com/docs/api-reference/responses/create
import type { Context } from "hono";
import { InvalidRequestError } from "../../api/errors.ts";
import { responsesClientRequest } from "../../api/openai-responses/client-request.ts";
import { renderResponse } from "../../api/openai-responses/render.ts";
import { createResponsesStreamRenderer } from "../../api/openai-responses/render-stream.ts";
import type { ResponsesContext } from "../../api/openai-responses/response-object.ts";
import { type ResponsesRequest, responsesRequestSchema } from "../../api/openai-responses/schema.ts";
import { formatIssuePath } from "../../config/load.ts";
import { newId } from "../../ids.ts";
import { redactText } from "../../log/logger.ts";
import { speaksResponses } from "../../providers/openai/responses-api.ts";
import type { Route } from "../../routing/dispatch.ts";
import type { Admission } from "../admission.ts";
import type { ServingDeps } from "../deps.ts";
import { toGatewayError } from "../errors.ts";
import { MAX_JSON_DEPTH, nestsDeeperThan } from "../json-depth.ts";
import { deepestIssue } from "../request-issue.ts";
import { type DialectServing, serveDialect } from "./serve.ts";

/** The parsed body as a validated Responses request, or a 400 that says what is wrong with it. */
export function readResponsesRequest(json: unknown): ResponsesRequest {
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new InvalidRequestError("The request body must be a JSON object", { code: "invalid_json" });
  }
  if (nestsDeeperThan(json, MAX_JSON_DEPTH)) {
    throw new InvalidRequestError(`The request body nests deeper than ${MAX_JSON_DEPTH} levels`, {
      code: "invalid_json",
    });
  }
  const parsed = responsesRequestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = deepestIssue(parsed.error.issues);
    const path = issue ? formatIssuePath(issue.path) : "(body)";
    throw new InvalidRequestError(`Invalid request: ${path}: ${issue?.message ?? "invalid value"}`, {
      param: path,
      code: "invalid_value",
    });
  }
  return parsed.data;
}

/**
 * previous_response_id (and conversation) name state that only OpenAI's own Responses API holds; the gateway keeps
 * none. A route whose every target is such an API forwards them; any other is refused here, before an upstream is
 * asked, with what to do instead (README, "Responses API": store and previous_response_id).
 */
function checkStatefulFields(request: ResponsesRequest, route: Route, deps: ServingDeps): void {
  const record = request as Record<string, unknown>;
  const field = request.previous_response_id
    ? "previous_response_id"
    : record.conversation != null
      ? "conversation"
      : undefined;
  if (!field) return;
  const native = route.candidates.every((candidate) => {
    const provider = deps.config.providers[candidate.providerId];
    return provider !== undefined && speaksResponses(provider);
  });
  if (native) return;
  throw new InvalidRequestError(
    `${field} is not supported on '${route.name}': the gateway stores no responses and this route reaches providers ` +
      "other than OpenAI's Responses API. Send the whole conversation as input (with store: false), as Codex does.",
    { param: field, code: "unsupported_parameter" },
  );
}

/** How a Responses client is answered: the response object, typed events with no [DONE], errors in OpenAI's shape. */
function responsesServing(context: ResponsesContext, deps: ServingDeps): DialectServing {
  let renderer: ReturnType<typeof createResponsesStreamRenderer> | undefined;
  return {
    dialect: "openai-responses",
    renderCompletion: (response) => JSON.stringify(renderResponse(response, context)),
    streamRenderer: () => {
      renderer = createResponsesStreamRenderer(context);
      return renderer;
    },
    streamEnding: (secrets) => ({
      finalEvent: "",
      errorEvent: (thrown) => {
        const error = toGatewayError(thrown, deps.logger);
        const message = redactText(error.message, secrets());
        renderer ??= createResponsesStreamRenderer(context);
        return renderer.failed(error, message);
      },
    }),
  };
}

export function serveResponses(
  deps: ServingDeps,
  c: Context,
  request: ResponsesRequest,
  route: Route,
  admission: Pick<Admission, "untilStreamEnds" | "trace">,
): Promise<Response> {
  checkStatefulFields(request, route, deps);
  const { canonical, original, toolNames } = responsesClientRequest(request);
  const context: ResponsesContext = {
    request,
    toolNames,
    newId,
    now: () => Math.floor(deps.clock() / 1000),
  };
  return serveDialect(deps, c, responsesServing(context, deps), { canonical, original }, route, admission);
}
