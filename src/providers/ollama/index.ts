// The Ollama adapter: Ollama's native HTTP API over fetch (no SDK), /api/chat and /api/tags.
// API: https://github.com/ollama/ollama/blob/main/docs/api.md
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
import { errorFromStatus, errorFromStreamEvent, ollamaErrorMessage } from "./errors.ts";
import { toModelEntries } from "./models.ts";
import { toOllamaRequest } from "./request.ts";
import { toCanonicalResponse } from "./response.ts";
import { ollamaStreamTransformer } from "./stream.ts";
import { ollamaChatResponseSchema, ollamaTagsSchema } from "./wire.ts";

/** Ollama continues a final assistant message (prefill); images (inline), tools and thinking are translated. */
// documents: /api/chat messages take text and images only (https://github.com/ollama/ollama/blob/main/docs/api.md#generate-a-chat-completion).
const CAPABILITIES: ProviderCapabilities = {
  prefill: true,
  images: true,
  tools: true,
  thinking: true,
  documents: false,
};

/** "http://host:11434", "http://host:11434/" and "https://ollama.com/api" all mean the same API root. */
export function apiUrl(endpoint: string, path: "/api/chat" | "/api/tags"): string {
  return `${endpoint.replace(/\/+$/, "").replace(/\/api$/, "")}${path}`;
}

/** What every request to a provider shares: the URLs and the headers without the key. */
const targets = perProvider((provider: ProviderConfig) => ({
  chat: apiUrl(provider.endpoint, "/api/chat"),
  tags: apiUrl(provider.endpoint, "/api/tags"),
  chatHeaders: { ...provider.headers, "content-type": "application/json" },
  tagsHeaders: { ...provider.headers },
}));

export const createOllamaAdapter: AdapterFactory = (deps) => {
  async function chat(attempt: ChatAttempt): Promise<ChatResult> {
    const { provider, signal, apiKey } = attempt;
    const { native, warnings } = toOllamaRequest({
      request: attempt.canonical,
      model: attempt.model,
      prefill: attempt.prefill,
    });
    const target = targets(provider);
    // Local Ollama needs no key; Ollama Cloud (https://ollama.com) takes one as a bearer token.
    const request = {
      provider,
      url: target.chat,
      headers: target.chatHeaders,
      keyHeader: "authorization" as const,
      apiKey,
      body: JSON.stringify(native),
      signal,
    };
    const response = await sendUpstream(request, errorFromStatus);
    // Ollama's answers carry no id: one is minted, as the id an OpenAI client expects.
    const id = deps.newId("chatcmpl-");
    const created = Math.floor(deps.clock() / 1000);
    const keySource = attempt.keySource;

    if (native.stream) {
      const translator = ollamaStreamTransformer({
        providerId: provider.id,
        id,
        created,
        model: attempt.model,
        keySource,
        newId: deps.newId,
        logger: deps.logger,
      });
      const frames = readEventStream(response.body, "ndjson", translator, {
        providerId: provider.id,
        signal,
        apiKey,
      });
      return { kind: "frames", frames, warnings };
    }

    const { answer } = await readAnswer(response, request, ollamaChatResponseSchema, "a chat response");
    // An {"error"} body in a 200 (a proxy in front of Ollama) says what failed, as the same line mid-stream does.
    if (ollamaErrorMessage(answer) !== undefined) throw errorFromStreamEvent(provider.id, answer, keySource);
    const canonical = toCanonicalResponse(answer, { id, created, model: attempt.model, newId: deps.newId });
    return { kind: "answer", response: () => canonical, warnings };
  }

  async function listModels(request: ModelsRequest): Promise<ModelEntry[]> {
    const { provider, signal } = request;
    const target = targets(provider);
    const response = await sendUpstream(
      {
        provider,
        url: target.tags,
        headers: target.tagsHeaders,
        keyHeader: "authorization",
        apiKey: request.apiKey,
        signal,
      },
      errorFromStatus,
    );
    const { answer } = await readAnswer(response, request, ollamaTagsSchema, "/api/tags JSON");
    return toModelEntries(answer, provider);
  }

  return { capabilities: CAPABILITIES, chat, listModels };
};
