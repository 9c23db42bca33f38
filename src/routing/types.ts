// The shapes routing works with: a route, its dependencies, what it serves, what it records of each attempt.

import type { FailureKind, GatewayError } from "../api/errors.ts";
import type { OriginalRequest, RawBody } from "../canonical/dialect.ts";
import type { CanonicalRequest } from "../canonical/request.ts";
import type { CanonicalResponse, CanonicalUsage } from "../canonical/response.ts";
import type { ProviderConfig, ProviderType, TimeoutsConfig } from "../config/schema.ts";
import type { Logger } from "../log/logger.ts";
import type { Clock, ProviderAdapter } from "../providers/types.ts";
import type { PrefillRefusals } from "./capabilities.ts";
import type { ChunkSource } from "./committed-stream.ts";
import type { HealthStore, Target } from "./health.ts";
import type { Candidate, Strategy } from "./select.ts";

export interface Route {
  /** The provider id or rotation name the client asked for. */
  name: string;
  isRotation: boolean;
  candidates: Candidate[];
  strategy: Strategy;
  maxAttempts: number;
  maxRetryWaitMs: number;
  continueOnCut: boolean;
  timeouts?: TimeoutsConfig;
  /** What resolving the client's model name changed (an alias, a substitution), reported with the answer. */
  warnings?: string[];
}

export interface DispatchDeps {
  adapters: Record<ProviderType, ProviderAdapter>;
  providers: Record<string, ProviderConfig>;
  health: HealthStore;
  /** Targets that refused to continue a cut stream (capabilities.ts): kept for the app's lifetime. */
  prefillRefusals: PrefillRefusals;
  clock: Clock;
  random: () => number;
  logger: Logger;
  /** Scrubs secrets (configured keys, the caller's own token) out of upstream error text. */
  redact?: (text: string) => string;
  /** Key to send to a provider; throws a GatewayError (401 naming the env var) when there is none to send. */
  keyFor: (provider: ProviderConfig) => string | undefined;
  /** Told of every attempt and upstream wait of this request (its access-log line and metrics). */
  observer?: RoutingObserver;
}

/**
 * What routing reports of one request while it runs; the server's access log, metrics and usage are built from it.
 * Times are marks of the observer's own clock (`mark()`), so routing's injected clock stays the one for decisions.
 */
export interface RoutingObserver {
  mark(): number;
  /** One attempt on `target`, begun at `since`, answered (`error` undefined) or failed. */
  attempted(target: Target, since: number, error: GatewayError | undefined): void;
  /** A committed stream from `target` broke (cut, stalled): what follows is its continuation. */
  broke(target: Target, error: GatewayError): void;
  /** A committed stream waited on its upstream from `since` for its next frame. */
  waited(since: number): void;
}

export interface AttemptRecord {
  provider: string;
  model: string;
  /** The upstream's status; for a skipped target, the status it was taken out with (0 when cooling down). */
  status: number;
  reason: string;
  kind?: FailureKind;
  /** Not asked: it was cooling down, rate limited or disabled. */
  skipped?: boolean;
}

/** A client's request as routing carries it: its canonical form, and its own body for a provider of its wire. */
export interface ClientRequest {
  canonical: CanonicalRequest;
  original: OriginalRequest;
  /** The client's headers that go with its own body (anthropic-beta): only an adapter forwarding that body reads them. */
  headers?: Record<string, string>;
}

export type ServedBody =
  /** `response` builds the canonical answer on demand (a client of the upstream's dialect is sent `raw`). */
  | {
      kind: "completion";
      response: () => CanonicalResponse;
      raw?: RawBody;
      /** With `raw`: its usage, without building `response` (usage accounting). */
      usage?: (() => CanonicalUsage | undefined) | undefined;
    }
  | { kind: "stream"; chunks: ChunkSource };

export type AttemptServed = ServedBody & { target: Target; warnings: string[] };

export type Served = AttemptServed & { attempts: number };

/** The client disconnected; nothing is left to answer. */
export class ClientGone extends Error {
  override name = "ClientGone";
}

export const DEFAULT_MAX_ATTEMPTS = 6;
export const DEFAULT_MAX_RETRY_WAIT_MS = 5_000;
