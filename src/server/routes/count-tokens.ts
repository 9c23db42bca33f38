// POST /v1/messages/count_tokens and /api/{id}/v1/messages/count_tokens: the input tokens of a Messages request, as
// the route's first target counts them (Anthropic's own counter, Gemini's countTokens), else an estimate flagged as
// one. https://docs.anthropic.com/en/api/messages-count-tokens
import type { Context } from "hono";
import { messagesClientRequest } from "../../api/anthropic-messages/client-request.ts";
import { type CountTokensRequest, countTokensRequestSchema } from "../../api/anthropic-messages/schema.ts";
import { estimateInputTokens } from "../../canonical/estimate-tokens.ts";
import { linkedController } from "../../providers/abort.ts";
import { keySourceOf } from "../../providers/types.ts";
import type { Route } from "../../routing/dispatch.ts";
import { attemptOrder } from "../../routing/select.ts";
import type { ServingDeps } from "../deps.ts";
import { clientAuthOn } from "../deps.ts";
import { upstreamKey } from "../keys.ts";
import { readAnthropicBody } from "./messages.ts";
import { callerKey } from "./serve.ts";

/** A count is a small request: a provider that has not answered by then gets the estimate instead. */
const COUNT_TIMEOUT_MS = 15_000;

/** Says where an answer's count came from: the provider's own counter, or the gateway's estimate. */
export const TOKEN_COUNT_HEADER = "x-aisbf-token-count";

export function readCountTokensRequest(json: unknown): CountTokensRequest {
  return readAnthropicBody(json, countTokensRequestSchema);
}

/**
 * Not routed through dispatch: a count is no model answer, so it neither fails over nor counts for or against a
 * target's health. The first target in the route's order is asked; a provider without a counter, or one that
 * fails, gets the estimate, with the reason in the log.
 */
export async function serveCountTokens(
  deps: ServingDeps,
  c: Context,
  request: CountTokensRequest,
  route: Route,
): Promise<Response> {
  const { canonical, original, headers } = messagesClientRequest(request, (name) => c.req.header(name));
  const target = attemptOrder(route.candidates, route.strategy, deps.random)[0];
  const provider = target ? deps.config.providers[target.providerId] : undefined;
  const counter = provider ? deps.adapters[provider.type].countTokens : undefined;
  const answer = (inputTokens: number, source: string) =>
    new Response(JSON.stringify({ input_tokens: inputTokens }), {
      status: 200,
      headers: {
        "content-type": "application/json",
        [TOKEN_COUNT_HEADER]: source,
        ...(target ? { "x-aisbf-provider": target.providerId, "x-aisbf-model": target.model } : {}),
      },
    });
  if (!target || !provider || !counter) return answer(estimateInputTokens(canonical), "estimate");
  const controller = linkedController(c.req.raw.signal);
  const timer = setTimeout(() => controller.abort(new Error("count_tokens timed out")), COUNT_TIMEOUT_MS);
  try {
    const apiKey = upstreamKey(provider, callerKey(c), clientAuthOn(deps.config));
    const counted = await counter({
      provider,
      model: target.model,
      canonical,
      original,
      headers,
      apiKey,
      keySource: keySourceOf(provider, apiKey),
      signal: controller.signal,
    });
    return answer(counted, "provider");
  } catch (thrown) {
    if (c.req.raw.signal.aborted) throw thrown;
    deps.logger.warn("count_tokens fell back to an estimate", {
      provider: provider.id,
      error: thrown instanceof Error ? thrown.message : String(thrown),
    });
    return answer(estimateInputTokens(canonical), "estimate");
  } finally {
    clearTimeout(timer);
  }
}
