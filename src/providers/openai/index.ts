// The OpenAI adapter: api.openai.com and any OpenAI-compatible server. Chat goes over fetch (the hot path:
// the SDK's request building and logging cost more CPU than the rest of the gateway); the model list through
// the official SDK, loaded on first use. No retries: routing decides those.

import { canonicalUsageOf as responsesUsage } from "../../api/openai-responses/usage.ts";
import type { ProviderConfig } from "../../config/schema.ts";
import { badResponse } from "../errors.ts";
import { readEventStream } from "../event-stream.ts";
import { perProvider, readText, sendUpstream } from "../http.ts";
import type {
  AdapterFactory,
  ChatAttempt,
  ChatResult,
  ModelEntry,
  ModelsRequest,
  ProviderCapabilities,
} from "../types.ts";
import { keySourceOf } from "../types.ts";
import { errorFromStatus, errorFromStreamEvent } from "./errors.ts";
import { toModelEntries } from "./models.ts";
import { toOpenAIRequest, toResponsesRequest } from "./request.ts";
import { toCanonicalResponse } from "./response.ts";
import { speaksResponses } from "./responses-api.ts";
import { parseResponseObject, responseObjectToCanonical } from "./responses-response.ts";
import { responsesStreamTransformer } from "./responses-stream.ts";
import { openAIStreamTransformer } from "./stream.ts";
import { answerUsage, isOpenAIAnswer } from "./wire.ts";

/** Everything passes through to an OpenAI-compatible server; only a prefill is not continued (a new answer). */
// documents: Chat Completions' file part (https://platform.openai.com/docs/guides/pdf-files?api-mode=chat).
const CAPABILITIES: ProviderCapabilities = {
  prefill: false,
  images: true,
  tools: true,
  thinking: true,
  documents: true,
};

/** The SDK's timeout on the model list, named in the error when it fires (the caller's signal may end it first). */
const MODELS_TIMEOUT_MS = 10_000;

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

/** Per-request auth header; null removes the SDK's own so a keyless local server gets none. */
function authHeader(apiKey: string | undefined): Record<string, string | null> {
  return { authorization: apiKey ? `Bearer ${apiKey}` : null };
}

/** What every chat request to a provider shares: the URL and the headers without the key. */
const chatTarget = perProvider((provider: ProviderConfig) => ({
  // https://platform.openai.com/docs/api-reference/chat/create: POST {base}/chat/completions
  url: `${provider.endpoint.replace(/\/+$/, "")}/chat/completions`,
  headers: { ...provider.headers, "content-type": "application/json", accept: "application/json" },
}));

/** Where a provider that speaks the Responses API takes a Responses client's request as it came. */
const responsesTarget = perProvider((provider: ProviderConfig) => ({
  // https://platform.openai.com/docs/api-reference/responses/create: POST {base}/responses
  url: `${provider.endpoint.replace(/\/+$/, "")}/responses`,
  headers: { ...provider.headers, "content-type": "application/json", accept: "application/json" },
}));

/** The body as an answer: JSON with choices, or the bad_response that fails the attempt over. */
function parseAnswer(providerId: string, text: string): { choices: unknown[] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw badResponse(providerId, "the body is not JSON");
  }
  if (!isOpenAIAnswer(json)) throw badResponse(providerId, "the body is not a chat completion");
  return json;
}

export const createOpenAIAdapter: AdapterFactory = (deps) => {
  /** A Responses client to a provider that speaks it: its body forwarded, the answer's bytes sent back as they came. */
  async function respond(attempt: ChatAttempt): Promise<ChatResult> {
    const { provider, signal, apiKey } = attempt;
    const target = responsesTarget(provider);
    const request = {
      provider,
      url: target.url,
      headers: target.headers,
      keyHeader: "authorization" as const,
      apiKey,
      body: JSON.stringify(toResponsesRequest(attempt.original, attempt.model)),
      signal,
    };
    const response = await sendUpstream(request, errorFromStatus);
    if (attempt.canonical.stream) {
      const translator = responsesStreamTransformer(provider.id, deps.logger, attempt.keySource);
      const frames = readEventStream(response.body, "sse", translator, {
        providerId: provider.id,
        signal,
        apiKey,
      });
      return { kind: "frames", frames, warnings: [] };
    }
    const text = await readText(response, request);
    const object = parseResponseObject(provider.id, text);
    if (object.status === "failed") {
      throw errorFromStreamEvent(
        provider.id,
        { error: object.error },
        attempt.keySource === "configured" ? "none" : attempt.keySource,
      );
    }
    return {
      kind: "answer",
      response: () => responseObjectToCanonical(object),
      raw: { dialect: "openai-responses", body: text },
      usage: () => (object.usage ? responsesUsage(object.usage) : undefined),
      warnings: [],
    };
  }

  async function chat(attempt: ChatAttempt): Promise<ChatResult> {
    const { provider, signal, apiKey } = attempt;
    if (attempt.original.dialect === "openai-responses" && speaksResponses(provider)) return respond(attempt);
    const { native, warnings } = toOpenAIRequest({
      request: attempt.canonical,
      original: attempt.original,
      model: attempt.model,
      prefill: attempt.prefill,
    });
    const target = chatTarget(provider);
    const request = {
      provider,
      url: target.url,
      headers: target.headers,
      keyHeader: "authorization" as const,
      apiKey,
      body: JSON.stringify(native),
      signal,
    };
    const response = await sendUpstream(request, errorFromStatus);
    if (attempt.canonical.stream) {
      const translator = openAIStreamTransformer(provider.id, deps.logger, attempt.keySource);
      const frames = readEventStream(response.body, "sse", translator, {
        providerId: provider.id,
        signal,
        apiKey,
      });
      return { kind: "frames", frames, warnings };
    }
    const text = await readText(response, request);
    const answer = parseAnswer(provider.id, text);
    return {
      kind: "answer",
      response: () => toCanonicalResponse(provider.id, answer),
      raw: { dialect: "openai-chat", body: text },
      usage: () => answerUsage(answer),
      warnings,
    };
  }

  // One SDK client per provider config object: config reloads get fresh clients, requests share one.
  const clientFor = perProvider((provider: ProviderConfig) =>
    loadSdk().then((sdk) => sdk.createOpenAIClient(provider)),
  );

  async function listModels(request: ModelsRequest): Promise<ModelEntry[]> {
    const sdk = await loadSdk();
    try {
      const client = await clientFor(request.provider);
      const page = await client.models.list({
        signal: request.signal,
        timeout: MODELS_TIMEOUT_MS,
        headers: authHeader(request.apiKey),
      });
      return toModelEntries(page.data, request.provider.id);
    } catch (thrown) {
      throw sdk.mapOpenAIError(
        request.provider.id,
        thrown,
        keySourceOf(request.provider, request.apiKey),
        MODELS_TIMEOUT_MS,
      );
    }
  }

  return { capabilities: CAPABILITIES, chat, listModels };
};
