// POST /v1/messages and /api/{id}/v1/messages: validate, route, answer as a message object or a stream of Messages
// events, errors in Anthropic's shape. https://docs.anthropic.com/en/api/messages
import type { Context } from "hono";
import type { z } from "zod";
import { messagesClientRequest } from "../../api/anthropic-messages/client-request.ts";
import { renderMessage } from "../../api/anthropic-messages/render.ts";
import { createMessagesStreamRenderer } from "../../api/anthropic-messages/render-stream.ts";
import { type MessagesRequest, messagesRequestSchema } from "../../api/anthropic-messages/schema.ts";
import { InvalidRequestError } from "../../api/errors.ts";
import { formatIssuePath } from "../../config/load.ts";
import { newId } from "../../ids.ts";
import type { Route } from "../../routing/dispatch.ts";
import { namedFrame } from "../../runtime/sse-writer.ts";
import type { Admission } from "../admission.ts";
import type { ServingDeps } from "../deps.ts";
import { anthropicErrorBody, toGatewayError } from "../errors.ts";
import { MAX_JSON_DEPTH, nestsDeeperThan } from "../json-depth.ts";
import { deepestIssue } from "../request-issue.ts";
import { type DialectServing, serveDialect } from "./serve.ts";

/** The parsed body validated by `schema`, or a 400 that names the field (Anthropic's shape, by the path). */
export function readAnthropicBody<T>(json: unknown, schema: z.ZodType<T>): T {
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new InvalidRequestError("The request body must be a JSON object", { code: "invalid_json" });
  }
  if (nestsDeeperThan(json, MAX_JSON_DEPTH)) {
    throw new InvalidRequestError(`The request body nests deeper than ${MAX_JSON_DEPTH} levels`, {
      code: "invalid_json",
    });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = deepestIssue(parsed.error.issues);
    const path = issue ? formatIssuePath(issue.path) : "(body)";
    throw new InvalidRequestError(`${path}: ${issue?.message ?? "invalid value"}`, {
      param: path,
      code: "invalid_value",
    });
  }
  return parsed.data;
}

export function readMessagesRequest(json: unknown): MessagesRequest {
  return readAnthropicBody(json, messagesRequestSchema);
}

/** How a Messages client is answered: the message object, named events with no final marker, errors in band. */
function messagesServing(deps: ServingDeps): DialectServing {
  return {
    dialect: "anthropic-messages",
    renderCompletion: (response) => JSON.stringify(renderMessage(response, newId)),
    streamRenderer: () => createMessagesStreamRenderer({ newId }),
    // https://docs.anthropic.com/en/docs/build-with-claude/streaming#ping-events
    keepAliveEvent: namedFrame("ping", '{"type":"ping"}'),
    streamEnding: (secrets) => ({
      finalEvent: "",
      // https://docs.anthropic.com/en/docs/build-with-claude/streaming#error-events
      errorEvent: (thrown) =>
        namedFrame(
          "error",
          JSON.stringify(anthropicErrorBody(toGatewayError(thrown, deps.logger), secrets())),
        ),
    }),
  };
}

/** What the route tells once per app: Claude Code's billing line, left out of prompts for other providers. */
export interface MessagesNotices {
  billingLineDropped(): void;
}

export function serveMessages(
  deps: ServingDeps,
  c: Context,
  request: MessagesRequest,
  route: Route,
  admission: Pick<Admission, "untilStreamEnds" | "trace">,
  notices: MessagesNotices,
): Promise<Response> {
  const { canonical, original, headers, billingLineDropped } = messagesClientRequest(request, (name) =>
    c.req.header(name),
  );
  if (billingLineDropped) notices.billingLineDropped();
  return serveDialect(deps, c, messagesServing(deps), { canonical, original, headers }, route, admission);
}
