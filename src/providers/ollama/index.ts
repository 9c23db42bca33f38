// The Ollama adapter: Ollama's native HTTP API over fetch (no SDK), /api/chat and /api/tags.
// API: https://github.com/ollama/ollama/blob/main/docs/api.md
import { UpstreamConnectionError } from "../../api/errors.ts";
import type { ProviderConfig } from "../../config/schema.ts";
import type { AdapterFactory, ChatAttempt, ChatResult, ModelEntry, ModelsRequest } from "../types.ts";
import { badResponseError, errorFromStatus, inStreamError, ollamaErrorMessage } from "./errors.ts";
import { ollamaTagsSchema, toModelEntries } from "./models.ts";
import { toOllamaRequest } from "./request.ts";
import { ollamaChatResponseSchema, toChatCompletion } from "./response.ts";
import { createOllamaStreamTranslator, cutOnBodyError, ndjsonLines } from "./stream.ts";
import { fetchWithHeadersDeadline } from "../http.ts";

/** /api/tags has no headers-timeout setting of its own; the caller's signal bounds the rest. */
const MODELS_HEADERS_TIMEOUT_MS = 10_000;

/** "http://host:11434", "http://host:11434/" and "https://ollama.com/api" all mean the same API root. */
export function apiUrl(endpoint: string, path: "/api/chat" | "/api/tags"): string {
  return `${endpoint.replace(/\/+$/, "").replace(/\/api$/, "")}${path}`;
}

function requestHeaders(
  provider: ProviderConfig,
  apiKey: string | undefined,
  json: boolean,
): Record<string, string> {
  const headers: Record<string, string> = { ...provider.headers };
  if (json) headers["content-type"] = "application/json";
  // Local Ollama needs no key; Ollama Cloud (https://ollama.com) takes one as a bearer token.
  if (apiKey) headers.authorization = `Bearer ${apiKey}`;
  return headers;
}

interface SendOptions {
  providerId: string;
  init: RequestInit;
  signal: AbortSignal;
  headersTimeoutMs?: number;
}

/** fetch with a headers deadline: the timer is cleared once headers arrive, the caller's signal still governs the body. */
async function send(url: string, options: SendOptions): Promise<Response> {
  return fetchWithHeadersDeadline(url, options.init, options);
}

/** Reads a whole body; a failure while reading is a connection problem, unless the caller aborted. */
async function readText(response: Response, providerId: string, signal: AbortSignal): Promise<string> {
  try {
    return await response.text();
  } catch (thrown) {
    if (signal.aborted) throw thrown;
    throw new UpstreamConnectionError(providerId, "the response body broke off", thrown);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export const createOllamaAdapter: AdapterFactory = (deps) => {
  async function chat(attempt: ChatAttempt): Promise<ChatResult> {
    const { provider, signal } = attempt;
    const { native, warnings } = toOllamaRequest(attempt.request, attempt.model, attempt.prefill);
    const response = await send(apiUrl(provider.endpoint, "/api/chat"), {
      providerId: provider.id,
      init: {
        method: "POST",
        headers: requestHeaders(provider, attempt.apiKey, true),
        body: JSON.stringify(native),
      },
      signal,
      headersTimeoutMs: attempt.headersTimeoutMs,
    });
    if (!response.ok) {
      const text = await readText(response, provider.id, signal).catch(() => "");
      throw errorFromStatus(provider.id, response.status, text, response.headers, Boolean(provider.api_key));
    }
    const id = deps.newId("chatcmpl-");
    const created = Math.floor(deps.clock() / 1000);

    if (native.stream) {
      if (!response.body) throw badResponseError(provider.id, "the stream has no body");
      const translator = createOllamaStreamTranslator({
        providerId: provider.id,
        id,
        created,
        model: attempt.model,
        includeUsage: attempt.request.stream_options?.include_usage === true,
        newId: deps.newId,
        logger: deps.logger,
      });
      const chunks = cutOnBodyError(response.body, provider.id, signal)
        .pipeThrough(ndjsonLines())
        .pipeThrough(translator);
      return { kind: "stream", chunks, warnings };
    }

    const json = parseJson(await readText(response, provider.id, signal));
    if (json === undefined) throw badResponseError(provider.id, "the body is not JSON");
    const upstreamError = ollamaErrorMessage(json);
    if (upstreamError !== undefined) throw inStreamError(provider.id, upstreamError);
    const parsed = ollamaChatResponseSchema.safeParse(json);
    if (!parsed.success) throw badResponseError(provider.id, "the body is not a chat response");
    const completion = toChatCompletion(parsed.data, {
      id,
      created,
      model: attempt.model,
      newId: deps.newId,
    });
    return { kind: "completion", completion, warnings };
  }

  async function listModels(request: ModelsRequest): Promise<ModelEntry[]> {
    const { provider, signal } = request;
    const response = await send(apiUrl(provider.endpoint, "/api/tags"), {
      providerId: provider.id,
      init: { method: "GET", headers: requestHeaders(provider, request.apiKey, false) },
      signal,
      headersTimeoutMs: MODELS_HEADERS_TIMEOUT_MS,
    });
    const text = await readText(response, provider.id, signal);
    if (!response.ok) {
      throw errorFromStatus(provider.id, response.status, text, response.headers, Boolean(provider.api_key));
    }
    const parsed = ollamaTagsSchema.safeParse(parseJson(text));
    if (!parsed.success) throw badResponseError(provider.id, "the model list is not /api/tags JSON");
    return toModelEntries(parsed.data, provider);
  }

  return {
    capabilities: { prefill: true, images: true, tools: true, thinking: true },
    chat,
    listModels,
  };
};
