// The Anthropic adapter: the Messages API, the key sent as x-api-key, retries off (routing decides those).
// Messages go over fetch (the hot path: the SDK's request building cost more CPU than the translation); the
// model list through the official SDK, loaded on first use.
import type Anthropic from "@anthropic-ai/sdk";
import { GatewayError, UpstreamConnectionError } from "../../api/errors.ts";
import type { ProviderConfig } from "../../config/schema.ts";
import { sseEvents } from "../sse.ts";
import type {
  AdapterDeps,
  AdapterFactory,
  ChatAttempt,
  ChatResult,
  ModelEntry,
  ModelsRequest,
  StreamChunk,
} from "../types.ts";
import { badResponseError, errorFromAnthropic, streamCutError } from "./errors.ts";
import { toModelEntries } from "./models.ts";
import { prefillTrailingWhitespace, toAnthropicRequest } from "./request.ts";
import { anthropicMessageSchema, toChatCompletion } from "./response.ts";
import { createAnthropicStreamTranslator } from "./stream.ts";
import { fetchWithHeadersDeadline } from "../http.ts";

const MODELS_TIMEOUT_MS = 10_000;
/**
 * The API version the translators and recorded fixtures follow: the one @anthropic-ai/sdk 1.14 sends
 * (https://docs.anthropic.com/en/api/versioning).
 */
export const ANTHROPIC_VERSION = "2026-10-21";

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

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

/** Maps a read error in the middle of the body to a cut (retryable); an abort keeps its own error. */
function guardStream(chunks: ReadableStream<StreamChunk>, providerId: string, signal: AbortSignal) {
  const reader = chunks.getReader();
  return new ReadableStream<StreamChunk>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        controller.error(
          error instanceof GatewayError || signal.aborted ? error : streamCutError(providerId, error),
        );
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

/** A body cut after the headers is a connection failure (retryable); an abort keeps its own error. */
async function readBody(response: Response, providerId: string, signal: AbortSignal): Promise<string> {
  try {
    return await response.text();
  } catch (error) {
    if (signal.aborted) throw error;
    throw new UpstreamConnectionError(providerId, "the answer was cut off before it was complete", error);
  }
}

function parseCompletion(providerId: string, text: string, deps: AdapterDeps) {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw badResponseError(providerId, "the body is not JSON");
  }
  const parsed = anthropicMessageSchema.safeParse(json);
  if (!parsed.success) throw badResponseError(providerId, "the body is not a Messages API message");
  return toChatCompletion(parsed.data, deps);
}

export const createAnthropicAdapter: AdapterFactory = (deps) => {
  // One SDK client per provider config object: config reloads get fresh clients, requests share one.
  const clients = new WeakMap<ProviderConfig, Anthropic>();

  function clientFor(sdk: AnthropicSdk, provider: ProviderConfig): Anthropic {
    let client = clients.get(provider);
    if (!client) {
      client = sdk.createAnthropicClient(provider, deps.logger);
      clients.set(provider, client);
    }
    return client;
  }

  async function chat(attempt: ChatAttempt): Promise<ChatResult> {
    const { provider } = attempt;
    const keyConfigured = Boolean(provider.api_key);
    const configuredMaxTokens = provider.models?.find((model) => model.name === attempt.model)?.max_tokens;
    const { native, warnings } = toAnthropicRequest({
      request: attempt.request,
      model: attempt.model,
      configuredMaxTokens,
      prefill: attempt.prefill,
    });
    const streaming = attempt.request.stream === true;
    const response = await send(attempt, JSON.stringify({ ...native, stream: streaming }));
    if (!streaming) {
      const completion = parseCompletion(
        provider.id,
        await readBody(response, provider.id, attempt.signal),
        deps,
      );
      return { kind: "completion", completion, warnings };
    }
    if (!response.body) throw badResponseError(provider.id, "the stream has no body");
    const translator = createAnthropicStreamTranslator({
      providerId: provider.id,
      id: deps.newId("chatcmpl-"),
      created: Math.floor(deps.clock() / 1000),
      includeUsage: attempt.request.stream_options?.include_usage === true,
      keyConfigured,
      logger: deps.logger,
      skipLeading: prefillTrailingWhitespace(attempt.prefill),
    });
    const chunks = guardStream(sseEvents(response.body).pipeThrough(translator), provider.id, attempt.signal);
    return { kind: "stream", chunks, warnings };
  }

  // What every Messages request to a provider shares: the URL and the headers without the key.
  const messageTargets = new WeakMap<ProviderConfig, { url: string; headers: Record<string, string> }>();

  function messageTargetFor(provider: ProviderConfig) {
    let target = messageTargets.get(provider);
    if (!target) {
      target = {
        // https://docs.anthropic.com/en/api/messages: POST {base}/v1/messages with an anthropic-version header.
        url: `${provider.endpoint.replace(/\/+$/, "")}/v1/messages`,
        headers: {
          ...provider.headers,
          "content-type": "application/json",
          accept: "application/json",
          "anthropic-version": ANTHROPIC_VERSION,
        },
      };
      messageTargets.set(provider, target);
    }
    return target;
  }

  /** POSTs the body; rejects with a GatewayError for a status >= 400, no connection or no headers in time. */
  async function send(attempt: ChatAttempt, body: string): Promise<Response> {
    const { provider, signal } = attempt;
    const target = messageTargetFor(provider);
    const headers = attempt.apiKey ? { ...target.headers, "x-api-key": attempt.apiKey } : target.headers;
    const response = await fetchWithHeadersDeadline(
      target.url,
      { method: "POST", headers, body, signal, redirect: "manual" },
      { providerId: provider.id, signal, headersTimeoutMs: attempt.headersTimeoutMs },
    );
    if (response.status >= 400) {
      const text = await response.text().catch(() => "");
      throw errorFromAnthropic({
        providerId: provider.id,
        status: response.status,
        body: parseJson(text),
        headers: response.headers,
        keyConfigured: Boolean(provider.api_key),
      });
    }
    return response;
  }

  async function listModels(request: ModelsRequest): Promise<ModelEntry[]> {
    const { provider } = request;
    const sdk = await loadSdk();
    try {
      const items: unknown[] = [];
      const pages = clientFor(sdk, provider).models.list(
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
      throw sdk.mapAnthropicError(provider.id, thrown, Boolean(provider.api_key), MODELS_TIMEOUT_MS);
    }
  }

  return {
    capabilities: { prefill: true, images: true, tools: true, thinking: true },
    chat,
    listModels,
  };
};
