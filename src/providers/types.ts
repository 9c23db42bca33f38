// The ProviderAdapter interface: what every provider folder implements, and what routing calls.
import type { ChatCompletion, ChatCompletionChunk, ChatRequest } from "../api/chat.ts";
import type { Dialect, OriginalRequest } from "../canonical/dialect.ts";
import type { CanonicalRequest } from "../canonical/request.ts";
import type { CanonicalResponse } from "../canonical/response.ts";
import type { StreamFrame } from "../canonical/stream.ts";
import type { ProviderConfig } from "../config/schema.ts";
import type { Logger } from "../log/logger.ts";
import type { PullReader } from "./sse.ts";

/** Milliseconds since the epoch; injected so tests control time. */
export type Clock = () => number;
/** Makes a unique id with the given prefix ("chatcmpl-", "call_"); injected so tests get stable ids. */
export type IdSource = (prefix: string) => string;

/**
 * Whose key an attempt sends: the one configured for the provider, the caller's own (pass-through), or none at
 * all. A refusal or an empty account is the operator's problem unless the key was the caller's.
 */
export type KeySource = "configured" | "caller" | "none";

export function keySourceOf(provider: ProviderConfig, apiKey: string | undefined): KeySource {
  if (apiKey === undefined) return "none";
  return provider.api_key !== undefined && apiKey === provider.api_key ? "configured" : "caller";
}

export interface ChatAttempt {
  provider: ProviderConfig;
  /** What the client asked for, in the canonical model every adapter translates from. */
  canonical: CanonicalRequest;
  /** The client's own body and dialect: a provider of that wire forwards it as it came. */
  original: OriginalRequest;
  /** The upstream's own model name (no "<provider>/" prefix). */
  model: string;
  /**
   * The request as an OpenAI Chat body (the gateway-facing `model`: use `model` above), for adapters that still
   * translate from that shape; the canonical request above replaces it.
   */
  request: ChatRequest;
  /** The key to send upstream, if any (configured, or the caller's own bearer). */
  apiKey: string | undefined;
  keySource: KeySource;
  /**
   * Aborted when the client goes away or a watchdog fires. The adapter must then end the call at once (reject, or
   * error its stream): routing's deadlines work by aborting this signal and wait for nothing else.
   */
  signal: AbortSignal;
  /**
   * How long to wait for the upstream's response headers, when the adapter is to enforce it itself. Routing
   * leaves it unset: its own deadline already bounds the whole call and aborts `signal`, and a second timer
   * and controller per request cost CPU on the gateway's hottest path.
   */
  headersTimeoutMs?: number;
  /**
   * Assistant text already delivered to the client from a stream that was cut; the upstream is asked to
   * continue it (sent as a final assistant message) and only the continuation is streamed back.
   */
  prefill?: string;
}

/** One chunk of a stream. `raw` is the upstream's own JSON text when it can be forwarded byte for byte. */
export interface StreamChunk {
  chunk: ChatCompletionChunk;
  raw?: string;
}

export type ChatResult =
  | {
      kind: "answer";
      response: CanonicalResponse;
      /** The upstream's body, when a client of its dialect may be sent it as it came. */
      raw?: { dialect: Dialect; body: string };
      warnings: string[];
    }
  | { kind: "frames"; frames: FrameStream; warnings: string[] }
  | {
      kind: "completion";
      completion: ChatCompletion;
      /** The upstream's body, when it is already exactly the answer (OpenAI pass-through). */
      body?: string;
      warnings: string[];
    }
  | {
      kind: "stream";
      /**
       * Chunks as they arrive. The stream closes normally only when the upstream ended it; a cut, an
       * in-stream error event or a bad status errors it with a GatewayError. A translator emits a
       * finish_reason only when the upstream said the answer is complete, never to paper over a cut.
       */
      chunks: ChunkStream;
      warnings: string[];
    };

/**
 * What routing reads a stream from: a ReadableStream<StreamChunk> is one, and so is sse.ts's ssePull, which saves
 * a stream hop per chunk where the adapter's output is only ever read.
 */
export interface ChunkStream {
  getReader(): PullReader<StreamChunk>;
}

/** What routing reads a translated stream from: canonical frames, one per upstream event. */
export interface FrameStream {
  getReader(): PullReader<StreamFrame>;
}

export interface ModelEntry {
  id: string;
  owned_by: string;
  created?: number;
  context_window?: number;
}

export interface ModelsRequest {
  provider: ProviderConfig;
  apiKey: string | undefined;
  signal: AbortSignal;
}

/** What an adapter can translate; routing asks these instead of naming provider types. */
export interface AdapterCapabilities {
  /** Continues a final assistant message (ChatAttempt.prefill): used to resume a cut stream elsewhere. */
  prefill: boolean;
  images: boolean;
  tools: boolean;
  thinking: boolean;
}

export interface ProviderAdapter {
  capabilities: AdapterCapabilities;
  /** Sends one attempt upstream. Rejects with a GatewayError (status, kind, retry hints) on failure. */
  chat(attempt: ChatAttempt): Promise<ChatResult>;
  /** The upstream's model list; the caller falls back to the config's list when this rejects. */
  listModels(request: ModelsRequest): Promise<ModelEntry[]>;
}

export interface AdapterDeps {
  clock: Clock;
  newId: IdSource;
  logger: Logger;
}

export type AdapterFactory = (deps: AdapterDeps) => ProviderAdapter;
