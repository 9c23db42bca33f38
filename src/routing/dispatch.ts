// Runs one client request over a route's targets: attempt order, retries, failover, health, watchdogs.
import type { ChatCompletion, ChatRequest } from "../api/chat.ts";
import { GatewayError, UpstreamTimeoutError } from "../api/errors.ts";
import type { ProviderConfig, ProviderType, TimeoutsConfig } from "../config/schema.ts";
import type { Logger } from "../log/logger.ts";
import type { Clock, ProviderAdapter, StreamChunk } from "../providers/types.ts";
import { DeadlineExceeded, sleep, withDeadline } from "./deadline.ts";
import type { HealthStore, Target } from "./health.ts";
import { asGatewayError, healthPolicyFor } from "./failures.ts";
import { decide } from "./policy.ts";
import { retryDelayMs } from "./retry-after.ts";
import { attemptOrder, type Candidate, type Strategy } from "./select.ts";
import { type Committed, commitStream } from "./stream-commit.ts";
import { deadlinesFor } from "./timeouts.ts";

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
}

export interface DispatchDeps {
  adapters: Record<ProviderType, ProviderAdapter>;
  providers: Record<string, ProviderConfig>;
  health: HealthStore;
  clock: Clock;
  random: () => number;
  logger: Logger;
  /** Scrubs secrets (configured keys, the caller's own token) out of upstream error text. */
  redact?: (text: string) => string;
  /** Key to send to a provider; throws a GatewayError (401 naming the env var) when there is none to send. */
  keyFor: (provider: ProviderConfig) => string | undefined;
}

export interface AttemptRecord {
  provider: string;
  model: string;
  /** The upstream's status; 0 for a target skipped without a request. */
  status: number;
  reason: string;
  /** Not asked: it was cooling down, rate limited or disabled. */
  skipped?: boolean;
}

export type ServedBody =
  | { kind: "completion"; completion: ChatCompletion; body?: string }
  | { kind: "stream"; chunks: ReadableStream<StreamChunk> };

type AttemptServed = ServedBody & { target: Target; warnings: string[] };

export type Served = AttemptServed & { attempts: number };

export const DEFAULT_MAX_ATTEMPTS = 6;
export const DEFAULT_MAX_RETRY_WAIT_MS = 5_000;

/** Provider-wide faults count on the provider, not one model: no connection, or its key refused. */
function isProviderWide(error: GatewayError): boolean {
  return (
    error.code === "upstream_unreachable" ||
    ((error.status === 401 || error.status === 403) && error.kind === "misconfigured")
  );
}

/** The client disconnected; nothing is left to answer. */
export class ClientGone extends Error {
  override name = "ClientGone";
}

export async function dispatch(
  deps: DispatchDeps,
  route: Route,
  request: ChatRequest,
  clientSignal: AbortSignal,
): Promise<Served> {
  const order = attemptOrder(route.candidates, route.strategy, deps.random);
  const records: AttemptRecord[] = [];
  const comebackTimes: number[] = [];
  let lastError: GatewayError | undefined;
  let attempts = 0;
  let tried = 0;

  for (const [index, target] of order.entries()) {
    const provider = deps.providers[target.providerId];
    if (!provider) continue;
    const policy = healthPolicyFor(provider);
    const availability = deps.health.availability(target, policy);
    if (!availability.available) {
      if (availability.until !== undefined) comebackTimes.push(availability.until);
      const until =
        availability.until === undefined ? "" : ` until ${new Date(availability.until).toISOString()}`;
      records.push({
        provider: target.providerId,
        model: target.model,
        status: availability.rateLimited ? 429 : 0,
        reason: `skipped: ${availability.until === undefined ? "disabled" : availability.rateLimited ? "rate limited" : "cooling down"}${until}`,
        skipped: true,
      });
      continue;
    }
    let apiKey: string | undefined;
    try {
      apiKey = deps.keyFor(provider);
    } catch (thrown) {
      lastError = asGatewayError(thrown, provider.id, deps.redact);
      records.push({
        provider: provider.id,
        model: target.model,
        status: lastError.status,
        reason: lastError.message,
      });
      continue;
    }
    tried += 1;
    let onTarget = 0;
    while (attempts < route.maxAttempts) {
      attempts += 1;
      onTarget += 1;
      try {
        const served = await attemptOnce(
          deps,
          route,
          request,
          provider,
          target,
          apiKey,
          clientSignal,
          order.slice(index + 1),
        );
        deps.health.recordSuccess(target);
        return { ...served, attempts };
      } catch (thrown) {
        if (thrown instanceof ClientGone || clientSignal.aborted) throw thrown;
        const error = asGatewayError(thrown, provider.id, deps.redact);
        lastError = error;
        records.push({
          provider: provider.id,
          model: target.model,
          status: error.status,
          reason: error.message,
        });
        const decision = decide({
          error,
          attemptsOnTarget: onTarget,
          maxRetryWaitMs: route.maxRetryWaitMs,
          now: deps.clock(),
          random: deps.random,
        });
        deps.logger.warn("attempt failed", {
          route: route.name,
          provider: provider.id,
          model: target.model,
          status: error.status,
          kind: error.kind,
          decision: decision.action,
        });
        if (decision.action === "fail") throw error;
        if (decision.action === "retry" && attempts < route.maxAttempts) {
          await sleep(decision.delayMs, clientSignal);
          continue;
        }
        // Each failed request counts once against a target, however many retries it made inside.
        // The request did not fit this model; the target itself is healthy.
        if (error.kind !== "context_length" && error.kind !== "unsupported") {
          const retryAfterMs =
            error.kind === "rate_limited" ? retryDelayMs(error.retryHints, deps.clock()) : undefined;
          deps.health.recordFailure(
            target,
            {
              kind: error.kind,
              status: error.status,
              message: error.message,
              retryAfterMs,
              providerWide: isProviderWide(error),
            },
            policy,
          );
          const comeback = deps.health.availability(target, policy);
          if (!comeback.available && comeback.until !== undefined) comebackTimes.push(comeback.until);
        }
        break;
      }
    }
    if (attempts >= route.maxAttempts) break;
  }
  throw exhausted(route, records, lastError, tried, comebackTimes, deps.clock());
}

async function attemptOnce(
  deps: DispatchDeps,
  route: Route,
  request: ChatRequest,
  provider: ProviderConfig,
  target: Target,
  apiKey: string | undefined,
  clientSignal: AbortSignal,
  rest: Candidate[],
): Promise<AttemptServed> {
  const deadlines = deadlinesFor(provider, route.timeouts);
  const controller = new AbortController();
  const signal = AbortSignal.any([clientSignal, controller.signal]);
  const streaming = request.stream === true;
  const limit = streaming ? deadlines.headersMs : deadlines.totalMs;
  const adapter = deps.adapters[provider.type];
  try {
    const result = await withDeadline(
      adapter.chat({ provider, model: target.model, request, apiKey, signal, headersTimeoutMs: limit }),
      limit,
      streaming ? "response headers" : "the whole answer",
      () => controller.abort(),
    );
    if (result.kind === "completion") {
      return {
        target,
        warnings: result.warnings,
        kind: "completion",
        completion: result.completion,
        body: result.body,
      };
    }
    const committed: Committed = await commitStream({
      deps,
      route,
      request,
      target,
      chunks: result.chunks,
      controller,
      deadlines,
      continuations: route.continueOnCut ? rest : [],
    });
    return { target, warnings: result.warnings, kind: "stream", chunks: committed.chunks };
  } catch (thrown) {
    if (clientSignal.aborted) throw new ClientGone("client went away");
    controller.abort();
    if (thrown instanceof DeadlineExceeded) {
      throw new UpstreamTimeoutError(
        provider.id,
        thrown.what,
        thrown.what === "first content" ? deadlines.firstContentMs : limit,
      );
    }
    throw thrown;
  }
}

/** The error for a request that no target could serve. */
function exhausted(
  route: Route,
  records: AttemptRecord[],
  lastError: GatewayError | undefined,
  tried: number,
  comebackTimes: number[],
  now: number,
): GatewayError {
  const retryAt = comebackTimes.length > 0 ? Math.min(...comebackTimes) : undefined;
  const headers: Record<string, string> = {};
  if (retryAt !== undefined) headers["retry-after"] = String(Math.max(1, Math.ceil((retryAt - now) / 1000)));
  // A target that failed but is not cooling down may be tried again at once; say so rather than nothing.
  else if (records.some((record) => !record.skipped)) headers["retry-after"] = "1";
  // A single provider that answered keeps its own status and reason (a 404 model, a 401 key...).
  const skipped = records.some((record) => record.skipped);
  if (!route.isRotation && lastError && tried <= 1 && !skipped) {
    return new GatewayError(lastError.message, {
      status: lastError.status,
      type: lastError.type,
      code: lastError.code,
      param: lastError.param,
      kind: lastError.kind,
      headers: { ...lastError.headers, ...headers },
    });
  }
  const failed = records.filter((record) => !record.skipped);
  const allRateLimited = records.length > 0 && records.every((record) => record.status === 429);
  const list = records
    .map(
      (record) =>
        `${record.provider}/${record.model}: ${record.skipped ? "" : `${record.status} `}${record.reason}`,
    )
    .join("; ");
  const message =
    failed.length === 0 && records.length > 0
      ? `No provider is available for '${route.name}': every target is cooling down or disabled (${list})`
      : `Every provider for '${route.name}' failed (${list || "no targets"})`;
  return new GatewayError(message, {
    status: allRateLimited ? 429 : 503,
    type: allRateLimited ? "rate_limit_error" : "api_error",
    code: allRateLimited ? "all_providers_rate_limited" : "no_provider_available",
    kind: "transient",
    headers,
  });
}
