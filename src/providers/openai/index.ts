// The OpenAI adapter: api.openai.com and any OpenAI-compatible server, through the official SDK, retries off.
import OpenAI from "openai";
import type { ProviderConfig } from "../../config/schema.ts";
import { sseEvents } from "../sse.ts";
import type { AdapterFactory, ChatAttempt, ChatResult, ModelEntry, ModelsRequest } from "../types.ts";
import { mapOpenAIError } from "./errors.ts";
import { toModelEntries } from "./models.ts";
import { toOpenAIRequest } from "./request.ts";
import { parseOpenAIResponse } from "./response.ts";
import { createOpenAIStreamTranslator } from "./stream.ts";
import { upstreamFetch } from "../http.ts";

/** Per-request auth header; null removes the SDK's own so a keyless local server gets none. */
function authHeader(apiKey: string | undefined): Record<string, string | null> {
  return { authorization: apiKey ? `Bearer ${apiKey}` : null };
}

export const createOpenAIAdapter: AdapterFactory = (deps) => {
  // One SDK client per provider config object: config reloads get fresh clients, requests share one.
  const clients = new WeakMap<ProviderConfig, OpenAI>();

  function clientFor(provider: ProviderConfig): OpenAI {
    let client = clients.get(provider);
    if (!client) {
      client = new OpenAI({
        // The key goes per request; "unused" stops the SDK from reading OPENAI_API_KEY from the environment.
        apiKey: "unused",
        organization: null,
        project: null,
        baseURL: provider.endpoint,
        maxRetries: 0,
        defaultHeaders: provider.headers,
        fetch: upstreamFetch,
      });
      clients.set(provider, client);
    }
    return client;
  }

  async function chat(attempt: ChatAttempt): Promise<ChatResult> {
    const { provider } = attempt;
    const body = toOpenAIRequest(attempt.request, attempt.model, attempt.prefill);
    try {
      const response = await clientFor(provider)
        .chat.completions.create(body as unknown as OpenAI.ChatCompletionCreateParams, {
          signal: attempt.signal,
          timeout: attempt.headersTimeoutMs,
          headers: authHeader(attempt.apiKey),
        })
        .asResponse();
      if (attempt.request.stream) {
        if (!response.body) throw new Error("the upstream sent no body");
        const chunks = sseEvents(response.body).pipeThrough(
          createOpenAIStreamTranslator(provider.id, deps.logger),
        );
        return { kind: "stream", chunks, warnings: [] };
      }
      const text = await response.text();
      return {
        kind: "completion",
        completion: parseOpenAIResponse(provider.id, text),
        body: text,
        warnings: [],
      };
    } catch (thrown) {
      throw mapOpenAIError(provider.id, thrown, Boolean(provider.api_key), attempt.headersTimeoutMs);
    }
  }

  async function listModels(request: ModelsRequest): Promise<ModelEntry[]> {
    try {
      const page = await clientFor(request.provider).models.list({
        signal: request.signal,
        headers: authHeader(request.apiKey),
      });
      return toModelEntries(page.data, request.provider.id);
    } catch (thrown) {
      throw mapOpenAIError(request.provider.id, thrown, Boolean(request.provider.api_key), 10_000);
    }
  }

  return { chat, listModels };
};
