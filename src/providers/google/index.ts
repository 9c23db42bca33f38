// The Gemini adapter: generateContent / streamGenerateContent and models.list through the official @google/genai SDK.
//
// The SDK is pinned to our rules by its options and by a fetch wrapper (transport.ts): no retries (no
// retryOptions; automatic continuation and automatic function calling off), Gemini API (never Vertex from the
// environment), the key only in the x-goog-api-key header, a timeout on the response headers alone (the SDK's
// own `timeout` would also bound the whole streamed body). The SDK itself is loaded on first use (sdk.ts).
import type { AdapterFactory, ChatAttempt, ChatResult, ModelEntry, ModelsRequest } from "../types.ts";
import type { ThrownContext } from "./errors.ts";
import { toModelEntries } from "./models.ts";
import { toGeminiRequest } from "./request.ts";
import { toChatCompletion } from "./response.ts";
import { createGeminiStreamTranslator } from "./stream.ts";
import { createTransport } from "./transport.ts";

/** Models listed per page; the SDK's pager fetches further pages as it is iterated. */
const MODELS_PAGE_SIZE = 1000;
/** A pager that never ends (an upstream repeating its page token) must not grow memory until the timeout. */
const MAX_LISTED_MODELS = 5_000;

/** The part that needs the SDK at run time (sdk.ts). */
type GoogleSdk = typeof import("./sdk.ts");

/**
 * Imported once per process, on the first request or model list: evaluated at start-up, the SDK would cost
 * memory and start-up time that a gateway not using Gemini never needs.
 */
let sdkModule: Promise<GoogleSdk> | undefined;

function loadSdk(): Promise<GoogleSdk> {
  sdkModule ??= import("./sdk.ts");
  return sdkModule;
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
    const { createClient, mapThrown } = await loadSdk();
    const transport = createTransport(provider.id, attempt.apiKey, attempt.headersTimeoutMs ?? 0);
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
    const { createClient, mapThrown } = await loadSdk();
    const transport = createTransport(provider.id, request.apiKey, 0);
    const client = createClient(provider, request.apiKey, transport);
    try {
      const models: unknown[] = [];
      const pager = await client.models.list({
        config: { pageSize: MODELS_PAGE_SIZE, abortSignal: request.signal },
      });
      for await (const model of pager) {
        models.push(model);
        if (models.length >= MAX_LISTED_MODELS) break;
      }
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

  return {
    capabilities: { prefill: false, images: true, tools: true, thinking: true },
    chat,
    listModels,
  };
};
