// The OpenAI adapter: api.openai.com and any OpenAI-compatible server. Chat goes over fetch (the hot path:
// the SDK's request building and logging cost more CPU than the rest of the gateway); the model list through
// the official SDK, loaded on first use. No retries: routing decides those.
import type OpenAI from "openai";
import { type GatewayError, UpstreamConnectionError } from "../../api/errors.ts";
import type { ProviderConfig } from "../../config/schema.ts";
import { ssePull } from "../sse.ts";
import type { AdapterFactory, ChatAttempt, ChatResult, ModelEntry, ModelsRequest } from "../types.ts";
import { errorFromStatus } from "./errors.ts";
import { toModelEntries } from "./models.ts";
import { toOpenAIRequest } from "./request.ts";
import { parseOpenAIResponse } from "./response.ts";
import { openAIStreamTransformer } from "./stream.ts";
import { fetchWithHeadersDeadline } from "../http.ts";

/** Pass-through translates nothing, so it has nothing to warn about: one shared, frozen empty list. */
const NO_WARNINGS: string[] = Object.freeze([]) as unknown as string[];

/** Per-request auth header; null removes the SDK's own so a keyless local server gets none. */
function authHeader(apiKey: string | undefined): Record<string, string | null> {
  return { authorization: apiKey ? `Bearer ${apiKey}` : null };
}

function parseJson(text: string): { error?: unknown } | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === "object" ? (parsed as { error?: unknown }) : undefined;
  } catch {
    return undefined;
  }
}

/** The part that needs the SDK at run time (sdk.ts). */
type OpenAISdk = typeof import("./sdk.ts");

/**
 * Imported once per process, on the first model list: evaluated at start-up, the SDK would cost memory and
 * start-up time that a gateway which only chats never needs.
 */
let sdkModule: Promise<OpenAISdk> | undefined;

function loadSdk(): Promise<OpenAISdk> {
  sdkModule ??= import("./sdk.ts");
  return sdkModule;
}

export const createOpenAIAdapter: AdapterFactory = (deps) => {
  // One SDK client per provider config object: config reloads get fresh clients, requests share one.
  const clients = new WeakMap<ProviderConfig, OpenAI>();

  function clientFor(sdk: OpenAISdk, provider: ProviderConfig): OpenAI {
    let client = clients.get(provider);
    if (!client) {
      client = sdk.createOpenAIClient(provider);
      clients.set(provider, client);
    }
    return client;
  }

  // What every chat request to a provider shares: the URL and the headers without the key.
  const chatTargets = new WeakMap<ProviderConfig, { url: string; headers: Record<string, string> }>();

  function chatTargetFor(provider: ProviderConfig) {
    let target = chatTargets.get(provider);
    if (!target) {
      target = {
        // https://platform.openai.com/docs/api-reference/chat/create: POST {base}/chat/completions
        url: `${provider.endpoint.replace(/\/+$/, "")}/chat/completions`,
        headers: { ...provider.headers, "content-type": "application/json", accept: "application/json" },
      };
      chatTargets.set(provider, target);
    }
    return target;
  }

  /** POSTs the body: a GatewayError for no connection or no headers in time. */
  function send(attempt: ChatAttempt, body: string): Promise<Response> {
    const { provider, signal } = attempt;
    const target = chatTargetFor(provider);
    const headers = attempt.apiKey
      ? { ...target.headers, authorization: `Bearer ${attempt.apiKey}` }
      : target.headers;
    return fetchWithHeadersDeadline(
      target.url,
      { method: "POST", headers, body, signal, redirect: "manual" },
      { providerId: provider.id, signal, headersTimeoutMs: attempt.headersTimeoutMs },
    );
  }

  /** A status >= 400 as the GatewayError it stands for (status, kind, retry hints from the body and headers). */
  async function statusError(provider: ProviderConfig, response: Response): Promise<GatewayError> {
    const text = await response.text().catch(() => "");
    const error = parseJson(text)?.error;
    return errorFromStatus(provider.id, response.status, error, response.headers, Boolean(provider.api_key));
  }

  async function chat(attempt: ChatAttempt): Promise<ChatResult> {
    const { provider } = attempt;
    const response = await send(
      attempt,
      JSON.stringify(toOpenAIRequest(attempt.request, attempt.model, attempt.prefill)),
    );
    if (response.status >= 400) throw await statusError(provider, response);
    if (attempt.request.stream) {
      if (!response.body) throw new UpstreamConnectionError(provider.id, "the upstream sent no body");
      // Only routing reads it: a plain pull, no ReadableStream of its own (sse.ts).
      const chunks = ssePull(response.body, openAIStreamTransformer(provider.id, deps.logger));
      return { kind: "stream", chunks, warnings: NO_WARNINGS };
    }
    let text: string;
    try {
      text = await response.text();
    } catch (thrown) {
      if (attempt.signal.aborted) throw thrown;
      throw new UpstreamConnectionError(provider.id, "the answer was cut off before it was complete", thrown);
    }
    return {
      kind: "completion",
      completion: parseOpenAIResponse(provider.id, text),
      body: text,
      warnings: NO_WARNINGS,
    };
  }

  async function listModels(request: ModelsRequest): Promise<ModelEntry[]> {
    const sdk = await loadSdk();
    try {
      const page = await clientFor(sdk, request.provider).models.list({
        signal: request.signal,
        headers: authHeader(request.apiKey),
      });
      return toModelEntries(page.data, request.provider.id);
    } catch (thrown) {
      throw sdk.mapOpenAIError(request.provider.id, thrown, Boolean(request.provider.api_key), 10_000);
    }
  }

  return {
    capabilities: { prefill: false, images: true, tools: true, thinking: true },
    chat,
    listModels,
  };
};
