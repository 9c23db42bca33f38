// The Gemini adapter: chat over fetch to the documented REST endpoints (generateContent, streamGenerateContent with
// alt=sse, the key in x-goog-api-key), through the shared request helper and stream reader as the other adapters;
// the model list through the official @google/genai SDK, one client per provider config, loaded on first use.
// No retries anywhere: routing decides those.
// REST reference: https://ai.google.dev/api/generate-content ; authentication: https://ai.google.dev/api#authentication

import type { GoogleGenAI } from "@google/genai";
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
import { countTokensUrl, modelPath, modelUrl, versionRoot } from "./endpoint.ts";
import { errorFromStatus } from "./errors.ts";
import { toModelEntries } from "./models.ts";
import { toGeminiRequest } from "./request.ts";
import { toCanonicalResponse } from "./response.ts";
import { geminiStreamTransformer } from "./stream.ts";
import { geminiResponseSchema, geminiTokenCountSchema } from "./wire.ts";

/** Gemini answers a final model turn anew rather than continuing it; images, tools and thinking are translated. */
// documents: PDF bytes as inlineData (https://ai.google.dev/gemini-api/docs/document-processing).
const CAPABILITIES: ProviderCapabilities = {
  prefill: false,
  images: true,
  tools: true,
  thinking: true,
  documents: true,
};

/** Models listed per page; the SDK's pager fetches further pages as it is iterated. */
const MODELS_PAGE_SIZE = 1000;
/** A pager that never ends (an upstream repeating its page token) must not grow memory until the timeout. */
const MAX_LISTED_MODELS = 5_000;

/** The part that needs the SDK at run time (sdk.ts). */
type GoogleSdk = typeof import("./sdk.ts");

/**
 * Imported once per process, on the first model list: evaluated at start-up, the SDK would cost memory and
 * start-up time that a gateway which only chats never needs.
 */
let sdkModule: Promise<GoogleSdk> | undefined;

function loadSdk(): Promise<GoogleSdk> {
  sdkModule ??= import("./sdk.ts");
  return sdkModule;
}

/** What every chat request to a provider shares: the API root and the headers without the key. */
const chatTarget = perProvider((provider: ProviderConfig) => ({
  root: versionRoot(provider.endpoint),
  headers: { ...provider.headers, "content-type": "application/json" },
}));

export const createGoogleAdapter: AdapterFactory = (deps) => {
  async function chat(attempt: ChatAttempt): Promise<ChatResult> {
    const { provider, signal, apiKey, canonical } = attempt;
    const streaming = canonical.stream;
    const { native, warnings } = toGeminiRequest({
      request: canonical,
      model: attempt.model,
      prefill: attempt.prefill,
    });
    const target = chatTarget(provider);
    const request = {
      provider,
      url: modelUrl(target.root, attempt.model, streaming),
      headers: target.headers,
      keyHeader: "x-goog-api-key" as const,
      apiKey,
      body: JSON.stringify(native),
      signal,
    };
    const response = await sendUpstream(request, errorFromStatus);
    if (streaming) {
      const translator = geminiStreamTransformer({
        providerId: provider.id,
        model: attempt.model,
        keySource: attempt.keySource,
        clock: deps.clock,
        newId: deps.newId,
        logger: deps.logger,
      });
      const frames = readEventStream(response.body, "sse", translator, {
        providerId: provider.id,
        signal,
        apiKey,
      });
      return { kind: "frames", frames, warnings };
    }
    const { answer } = await readAnswer(response, request, geminiResponseSchema, "a Gemini answer");
    const translated = toCanonicalResponse(answer, {
      providerId: provider.id,
      model: attempt.model,
      clock: deps.clock,
      newId: deps.newId,
    });
    return {
      kind: "answer",
      response: () => translated.response,
      warnings: [...warnings, ...translated.warnings],
    };
  }

  // One SDK client per provider config object: config reloads get fresh clients, requests share one.
  const clientFor = perProvider(
    (provider: ProviderConfig): Promise<GoogleGenAI> =>
      loadSdk().then((sdk) => sdk.createModelsClient(provider)),
  );

  async function listModels(request: ModelsRequest): Promise<ModelEntry[]> {
    const { provider, signal } = request;
    const sdk = await loadSdk();
    try {
      const client = await clientFor(provider);
      const models: unknown[] = [];
      const pager = await client.models.list({
        config: {
          pageSize: MODELS_PAGE_SIZE,
          abortSignal: signal,
          httpOptions: sdk.keyOptions(request.apiKey),
        },
      });
      for await (const model of pager) {
        models.push(model);
        if (models.length >= MAX_LISTED_MODELS) break;
      }
      return toModelEntries(models);
    } catch (thrown) {
      throw sdk.mapThrown(thrown, {
        providerId: provider.id,
        keySource: keySourceOf(provider, request.apiKey),
        signal,
      });
    }
  }

  /** Gemini's own counter over the whole translated request (generateContentRequest: system, tools and all). */
  async function countTokens(attempt: ChatAttempt): Promise<number> {
    const { provider, signal, apiKey } = attempt;
    const { native } = toGeminiRequest({ request: attempt.canonical, model: attempt.model });
    const target = chatTarget(provider);
    const request = {
      provider,
      url: countTokensUrl(target.root, attempt.model),
      headers: target.headers,
      keyHeader: "x-goog-api-key" as const,
      apiKey,
      body: JSON.stringify({ generateContentRequest: { model: modelPath(attempt.model), ...native } }),
      signal,
    };
    const response = await sendUpstream(request, errorFromStatus);
    const { answer } = await readAnswer(response, request, geminiTokenCountSchema, "a Gemini token count");
    return answer.totalTokens;
  }

  return { capabilities: CAPABILITIES, chat, countTokens, listModels };
};
