// The Gemini adapter: generateContent / streamGenerateContent and models.list through the official @google/genai SDK.
//
// The SDK is pinned to our rules by its options and by a fetch wrapper (transport.ts): no retries (no
// retryOptions; automatic continuation and automatic function calling off), Gemini API (never Vertex from the
// environment), the key only in the x-goog-api-key header, a timeout on the response headers alone (the SDK's
// own `timeout` would also bound the whole streamed body).
import { GoogleGenAI } from "@google/genai";
import type { ProviderConfig } from "../../config/schema.ts";
import type { AdapterFactory, ChatAttempt, ChatResult, ModelEntry, ModelsRequest } from "../types.ts";
import { mapThrown, type ThrownContext } from "./errors.ts";
import { toModelEntries } from "./models.ts";
import { toGeminiRequest } from "./request.ts";
import { toChatCompletion } from "./response.ts";
import { createGeminiStreamTranslator } from "./stream.ts";
import { createTransport, type Transport } from "./transport.ts";

/** Models listed per page; the SDK's pager fetches further pages as it is iterated. */
const MODELS_PAGE_SIZE = 1000;

/** "https://host/v1beta" -> base URL and API version; a bare host keeps the SDK's default version (v1beta). */
function splitEndpoint(endpoint: string): { baseUrl: string; apiVersion?: string } {
  const trimmed = endpoint.replace(/\/+$/, "");
  const match = /^(.*)\/(v1(?:alpha|beta)?\d*)$/.exec(trimmed);
  return match?.[1] && match[2] ? { baseUrl: match[1], apiVersion: match[2] } : { baseUrl: trimmed };
}

function createClient(
  provider: ProviderConfig,
  apiKey: string | undefined,
  transport: Transport,
): GoogleGenAI {
  const { baseUrl, apiVersion } = splitEndpoint(provider.endpoint);
  return new GoogleGenAI({
    vertexai: false,
    // A placeholder stops the SDK from reading GEMINI_API_KEY / GOOGLE_API_KEY or trying Google ADC;
    // the transport removes the header when there is no key.
    apiKey: apiKey ?? "unused",
    httpOptions: { baseUrl, apiVersion, headers: { ...provider.headers }, fetch: transport.fetch },
  });
}

/** The SDK's async generator as a stream, errors mapped as they surface. */
function eventStream(
  events: AsyncGenerator<unknown>,
  onError: (thrown: unknown) => unknown,
): ReadableStream<unknown> {
  return new ReadableStream<unknown>({
    async pull(controller) {
      try {
        const next = await events.next();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      } catch (thrown) {
        controller.error(onError(thrown));
      }
    },
    async cancel() {
      await events.return(undefined);
    },
  });
}

export const createGoogleAdapter: AdapterFactory = (deps) => {
  async function chat(attempt: ChatAttempt): Promise<ChatResult> {
    const { provider } = attempt;
    const { native, warnings } = toGeminiRequest(attempt.request, {
      model: attempt.model,
      prefill: attempt.prefill,
    });
    const transport = createTransport(provider.id, attempt.apiKey, attempt.headersTimeoutMs);
    const client = createClient(provider, attempt.apiKey, transport);
    const params = {
      ...native,
      config: {
        ...native.config,
        abortSignal: attempt.signal,
        automaticFunctionCalling: { disable: true },
        automaticContinuation: false,
      },
    };
    const context = (midStream: boolean): ThrownContext => ({
      providerId: provider.id,
      keyConfigured: Boolean(provider.api_key),
      signal: attempt.signal,
      headers: transport.lastHeaders(),
      midStream,
    });
    try {
      if (attempt.request.stream) {
        const events = await client.models.generateContentStream(params);
        const translator = createGeminiStreamTranslator({
          providerId: provider.id,
          model: attempt.model,
          includeUsage: attempt.request.stream_options?.include_usage === true,
          clock: deps.clock,
          newId: deps.newId,
          logger: deps.logger,
        });
        const chunks = eventStream(events, (thrown) => mapThrown(thrown, context(true))).pipeThrough(
          translator,
        );
        return { kind: "stream", chunks, warnings };
      }
      const response = await client.models.generateContent(params);
      const translated = toChatCompletion(response, {
        providerId: provider.id,
        model: attempt.model,
        clock: deps.clock,
        newId: deps.newId,
      });
      return {
        kind: "completion",
        completion: translated.completion,
        warnings: [...warnings, ...translated.warnings],
      };
    } catch (thrown) {
      throw mapThrown(thrown, context(false));
    }
  }

  async function listModels(request: ModelsRequest): Promise<ModelEntry[]> {
    const { provider } = request;
    const transport = createTransport(provider.id, request.apiKey, 0);
    const client = createClient(provider, request.apiKey, transport);
    try {
      const models: unknown[] = [];
      const pager = await client.models.list({
        config: { pageSize: MODELS_PAGE_SIZE, abortSignal: request.signal },
      });
      for await (const model of pager) models.push(model);
      return toModelEntries(models);
    } catch (thrown) {
      throw mapThrown(thrown, {
        providerId: provider.id,
        keyConfigured: Boolean(provider.api_key),
        signal: request.signal,
        headers: transport.lastHeaders(),
      });
    }
  }

  return { chat, listModels };
};
