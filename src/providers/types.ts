// The ProviderAdapter interface: what every provider folder implements, and what routing calls.

import type { GatewayError, KeySource } from "../api/errors.ts";
import type { OriginalRequest, RawBody } from "../canonical/dialect.ts";
import type { CanonicalRequest } from "../canonical/request.ts";
import type { CanonicalResponse, CanonicalUsage } from "../canonical/response.ts";
import type { StreamFrame } from "../canonical/stream.ts";
import type { ProviderConfig } from "../config/schema.ts";
import type { Logger } from "../log/logger.ts";

/** Milliseconds since the epoch; injected so tests control time. */
export type Clock = () => number;
/** Makes a unique id with the given prefix ("chatcmpl-", "call_"); injected so tests get stable ids. */
export type IdSource = (prefix: string) => string;

export type { KeySource };

export function keySourceOf(provider: ProviderConfig, apiKey: string | undefined): KeySource {
  if (apiKey === undefined) return "none";
  return provider.api_key !== undefined && apiKey === provider.api_key ? "configured" : "caller";
}

export interface ChatAttempt {
  provider: ProviderConfig;
  /** The upstream's own model name (no "<provider>/" prefix). */
  model: string;
  /** What the client asked for, in the canonical model every adapter translates from. */
  canonical: CanonicalRequest;
  /** The client's own body and dialect: a provider of that wire forwards it as it came. */
  original: OriginalRequest;
  /** The client's headers that go with `original` (anthropic-version, anthropic-beta), for an adapter forwarding it. */
  headers?: Record<string, string> | undefined;
  /** The key to send upstream, if any (configured, or the caller's own bearer). */
  apiKey: string | undefined;
  keySource: KeySource;
  /**
   * Aborted when the client goes away or a deadline fires: the adapter's call and stream end at once, rejecting
   * with the signal's reason. Routing's deadlines work by aborting this signal; adapters keep no timer of their own.
   */
  signal: AbortSignal;
  /**
   * Assistant text already delivered to the client from a stream that was cut; the upstream is asked to
   * continue it (sent as a final assistant message) and only the continuation is streamed back.
   */
  prefill?: string;
}

export type ChatResult =
  | {
      kind: "answer";
      /**
       * The canonical answer, built when asked: a client of the upstream's own dialect gets `raw` and never needs
       * it, and building it (a lenient parse of every field) costs more than the rest of a pass-through.
       */
      response: () => CanonicalResponse;
      /** The upstream's body, when a client of its dialect may be sent it as it came. */
      raw?: RawBody;
      /** With `raw`: the answer's token usage, read without building the canonical answer (for accounting). */
      usage?: () => CanonicalUsage | undefined;
      warnings: string[];
    }
  | { kind: "frames"; frames: FrameStream; warnings: string[] };

/** What a consumer reads one item at a time: a ReadableStreamDefaultReader is one. */
export interface PullReader<T> {
  read(): Promise<{ done: false; value: T } | { done: true; value?: undefined }>;
  cancel(reason?: unknown): Promise<void>;
  /**
   * An item already read and translated, taken without waiting; undefined when the next one needs a read (or a
   * read would end or fail). Lets a writer take every event of one upstream read at once and send them in one write.
   */
  readQueued?(): T | undefined;
}

/**
 * A stream's canonical frames as they arrive, one per upstream event. It ends normally only when the upstream said
 * the answer is complete (a `finish` event, never emitted to paper over a cut). A read rejects only with a
 * GatewayError (a cut is streamCutError; an in-stream error event, its own error) or, once the attempt's signal
 * aborted, with the signal's reason.
 */
export interface FrameStream {
  getReader(): PullReader<StreamFrame>;
}

/** A request translator's output: the provider's native body, and what could not be sent as asked. */
export interface Translated<Native> {
  native: Native;
  warnings: string[];
}

/** What a request translator (request.ts) takes once it reads the canonical request. */
export interface CanonicalInput {
  request: CanonicalRequest;
  /** The upstream's own model name. */
  model: string;
  /** Text already sent to the client from a cut stream; the model is asked to continue it. */
  prefill?: string | undefined;
}

/** An upstream's error answer, as every provider's errorFromStatus takes it. */
export interface ErrorResponse {
  providerId: string;
  status: number;
  /** The body as text ("" when it could not be read). */
  body: string;
  headers?: Headers | undefined;
  /** A refused configured key disables the target; the caller's own key refused is the caller's problem. */
  keySource: KeySource;
}

/** A provider's errors.ts: status + native error body -> the one GatewayError (status, kind, retry hints). */
export type ErrorFromStatus = (response: ErrorResponse) => GatewayError;

/**
 * What an adapter translates, declared once per adapter so that routing asks instead of naming provider types.
 * Each flag is true only where the adapter carries the feature to the upstream and back.
 */
export interface ProviderCapabilities {
  /** Continues a final assistant message (a cut stream's text, sent as prefill) rather than answering anew. */
  prefill: boolean;
  /** Sends image parts of user messages. */
  images: boolean;
  /** Sends tools and tool results, and returns tool calls. */
  tools: boolean;
  /** Sends reasoning settings and returns reasoning (thinking) content. */
  thinking: boolean;
  /**
   * Sends PDF documents given as bytes (base64) to a model that reads them. Routing skips a target without it for
   * a request that carries one, rather than have the document dropped.
   */
  documents: boolean;
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

export interface ProviderAdapter {
  readonly capabilities: ProviderCapabilities;
  /**
   * Sends one attempt upstream. Rejects with a GatewayError (status, kind, retry hints) on failure, or with the
   * signal's reason once the attempt's signal aborted.
   */
  chat(attempt: ChatAttempt): Promise<ChatResult>;
  /**
   * The provider's own count of the attempt's input tokens (a count_tokens request), where it has a counter.
   * Rejects as `chat` does.
   */
  countTokens?(attempt: ChatAttempt): Promise<number>;
  /** The upstream's model list; the caller falls back to the config's list when this rejects. */
  listModels(request: ModelsRequest): Promise<ModelEntry[]>;
}

export interface AdapterDeps {
  clock: Clock;
  newId: IdSource;
  logger: Logger;
}

export type AdapterFactory = (deps: AdapterDeps) => ProviderAdapter;
