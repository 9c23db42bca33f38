// The Anthropic adapter: the Messages API, the key sent as x-api-key, retries off (routing decides those).
// Messages go over fetch (the hot path: the SDK's request building cost more CPU than the translation); the
// model list through the official SDK, loaded on first use.

import type Anthropic from "@anthropic-ai/sdk";
import type { ProviderConfig } from "../../config/schema.ts";
import { readEventStream } from "../event-stream.ts";
import { perProvider, readAnswer, sendUpstream } from "../http.ts";
import type {
  AdapterFactory,
  ChatAttempt,
  ChatResult,
  ModelEntry,
  ModelsRequest,
  ProviderCapabilities,
} from "../types.ts";
import { keySourceOf } from "../types.ts";
import { errorFromStatus } from "./errors.ts";
import { toModelEntries } from "./models.ts";
import {
  prefillTrailingWhitespace,
  toAnthropicRequest,
  toCountTokensRequest,
  toForwardedRequest,
} from "./request.ts";
import { toCanonicalResponse, usageOf } from "./response.ts";
import { anthropicStreamTransformer } from "./stream.ts";
import { anthropicMessageSchema, tokenCountSchema } from "./wire.ts";

/** A final assistant message is continued (prefill); images, tools and thinking are translated both ways. */
// documents: PDF document blocks (https://docs.anthropic.com/en/docs/build-with-claude/pdf-support).
const CAPABILITIES: ProviderCapabilities = {
  prefill: true,
  images: true,
  tools: true,
  thinking: true,
  documents: true,
};

const MODELS_TIMEOUT_MS = 10_000;
/**
 * The API version the translators and recorded fixtures follow: the one @anthropic-ai/sdk 1.14 sends
 * (https://docs.anthropic.com/en/api/versioning).
 */
export const ANTHROPIC_VERSION = "2026-10-21";

/** The part that needs the SDK at run time (sdk.ts). */
type AnthropicSdk = typeof import("./sdk.ts");

/**
 * Imported once per process, on the first model list: evaluated at start-up, the SDK would cost memory and
 * start-up time that a gateway which only chats never needs.
 */
let sdkModule: Promise<AnthropicSdk> | undefined;

function loadSdk(): Promise<AnthropicSdk> {
  sdkModule ??= import("./sdk.ts");
  return sdkModule;
}

/**
 * The documented auth header is x-api-key (https://docs.anthropic.com/en/api/overview#authentication); this SDK
 * version would send the key as a Bearer token, so the key goes per request and the SDK's own auth stays unset.
 */
function authHeaders(apiKey: string | undefined): Record<string, string | null> {
  return { "x-api-key": apiKey ?? null, authorization: null };
}

/** What every Messages request to a provider shares: the URL and the headers without the key. */
const messagesTarget = perProvider((provider: ProviderConfig) => ({
  // https://docs.anthropic.com/en/api/messages: POST {base}/v1/messages with an anthropic-version header.
  url: `${provider.endpoint.replace(/\/+$/, "")}/v1/messages`,
  headers: {
    ...provider.headers,
    "content-type": "application/json",
    accept: "application/json",
    "anthropic-version": ANTHROPIC_VERSION,
  },
}));

/** Where a provider counts a request's tokens. */
const countTarget = perProvider((provider: ProviderConfig) => ({
  // https://docs.anthropic.com/en/api/messages-count-tokens: POST {base}/v1/messages/count_tokens
  url: `${messagesTarget(provider).url}/count_tokens`,
  headers: messagesTarget(provider).headers,
}));

/**
 * A Messages client's anthropic-version and anthropic-beta go with its own body: the body is written in that
 * version, and the betas switch on what its fields ask for (context management, 1M context, interleaved thinking).
 */
function forwardedHeaders(base: Record<string, string>, attempt: ChatAttempt): Record<string, string> {
  if (attempt.original.dialect !== "anthropic-messages" || !attempt.headers) return base;
  return { ...base, ...attempt.headers };
}

/** The attempt's body: a Messages client's own (pass-through), else the translation of the canonical request. */
function nativeBody(attempt: ChatAttempt): { body: Record<string, unknown>; warnings: string[] } {
  if (attempt.original.dialect === "anthropic-messages") {
    return { body: toForwardedRequest(attempt.original, attempt.model, attempt.prefill), warnings: [] };
  }
  const configuredMaxTokens = attempt.provider.models?.find(
    (model) => model.name === attempt.model,
  )?.max_tokens;
  const { native, warnings } = toAnthropicRequest({
    request: attempt.canonical,
    model: attempt.model,
    prefill: attempt.prefill,
    configuredMaxTokens,
  });
  return { body: native, warnings };
}

export const createAnthropicAdapter: AdapterFactory = (deps) => {
  async function chat(attempt: ChatAttempt): Promise<ChatResult> {
    const { provider, signal, apiKey } = attempt;
    const { body, warnings } = nativeBody(attempt);
    const streaming = attempt.canonical.stream;
    const target = messagesTarget(provider);
    const request = {
      provider,
      url: target.url,
      headers: forwardedHeaders(target.headers, attempt),
      keyHeader: "x-api-key" as const,
      apiKey,
      body: JSON.stringify({ ...body, stream: streaming }),
      signal,
    };
    const response = await sendUpstream(request, errorFromStatus);
    if (!streaming) {
      const { text, answer } = await readAnswer(
        response,
        request,
        anthropicMessageSchema,
        "a Messages API message",
      );
      return {
        kind: "answer",
        response: () => toCanonicalResponse(answer, deps),
        raw: { dialect: "anthropic-messages", body: text },
        usage: () => (answer.usage ? usageOf(answer.usage) : undefined),
        warnings,
      };
    }
    const translator = anthropicStreamTransformer({
      providerId: provider.id,
      newId: deps.newId,
      created: Math.floor(deps.clock() / 1000),
      keySource: attempt.keySource,
      logger: deps.logger,
      skipLeading: prefillTrailingWhitespace(attempt.prefill),
    });
    const frames = readEventStream(response.body, "sse", translator, {
      providerId: provider.id,
      signal,
      apiKey,
    });
    return { kind: "frames", frames, warnings };
  }

  // One SDK client per provider config object: config reloads get fresh clients, requests share one.
  const clientFor = perProvider(
    (provider: ProviderConfig): Promise<Anthropic> =>
      loadSdk().then((sdk) => sdk.createAnthropicClient(provider, deps.logger)),
  );

  async function listModels(request: ModelsRequest): Promise<ModelEntry[]> {
    const { provider } = request;
    const sdk = await loadSdk();
    try {
      const items: unknown[] = [];
      const pages = (await clientFor(provider)).models.list(
        { limit: 1000 },
        { signal: request.signal, timeout: MODELS_TIMEOUT_MS, headers: authHeaders(request.apiKey) },
      );
      for await (const model of pages) {
        items.push(model);
        // A pager that never ends must not grow memory until the timeout.
        if (items.length >= 5_000) break;
      }
      return toModelEntries(items);
    } catch (thrown) {
      throw sdk.mapAnthropicError(
        provider.id,
        thrown,
        keySourceOf(provider, request.apiKey),
        MODELS_TIMEOUT_MS,
      );
    }
  }

  async function countTokens(attempt: ChatAttempt): Promise<number> {
    const { provider, signal, apiKey } = attempt;
    const body =
      attempt.original.dialect === "anthropic-messages"
        ? toForwardedRequest(attempt.original, attempt.model, undefined)
        : toCountTokensRequest(
            toAnthropicRequest({ request: attempt.canonical, model: attempt.model }).native,
          );
    const target = countTarget(provider);
    const request = {
      provider,
      url: target.url,
      headers: forwardedHeaders(target.headers, attempt),
      keyHeader: "x-api-key" as const,
      apiKey,
      body: JSON.stringify(body),
      signal,
    };
    const response = await sendUpstream(request, errorFromStatus);
    const { answer } = await readAnswer(response, request, tokenCountSchema, "a token count");
    return answer.input_tokens;
  }

  return { capabilities: CAPABILITIES, chat, countTokens, listModels };
};
