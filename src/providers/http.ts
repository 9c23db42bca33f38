// The one way adapters call an upstream: headers and key, abort, redirects within the configured host, an error
// status handed to the provider's errorFromStatus, a whole answer read and checked against the provider's schema.
// A provider endpoint that redirects elsewhere could hand our key or the client's prompt to a host nobody configured.

import type { z } from "zod";
import { GatewayError, UpstreamConnectionError } from "../api/errors.ts";
import type { ProviderConfig } from "../config/schema.ts";
import { redactText } from "../log/logger.ts";
import { badResponse } from "./errors.ts";
import type { ErrorFromStatus } from "./types.ts";
import { keySourceOf } from "./types.ts";

const MAX_REDIRECTS = 3;

/** A redirect to another origin; mapped like a connection failure (the upstream did not answer usefully). */
export class CrossOriginRedirectError extends Error {
  override name = "CrossOriginRedirectError";
}

/** The header an upstream takes its key in; `authorization` carries it as a Bearer token. */
export type KeyHeader = "authorization" | "x-api-key" | "x-goog-api-key";

export interface UpstreamRequest {
  provider: ProviderConfig;
  url: string;
  /** What every request to this provider carries, without the key: built once per provider config, never changed. */
  headers: Readonly<Record<string, string>>;
  keyHeader: KeyHeader;
  /** Sent in `keyHeader`; none at all when undefined or empty (a local server without keys). */
  apiKey: string | undefined;
  /** POSTed when set, else a GET. */
  body?: string;
  /**
   * The attempt's signal, the only deadline: routing aborts it when time is up, and the call then rejects with
   * its reason. No timer of our own: a second timer and controller per request cost CPU on the hottest path.
   */
  signal: AbortSignal;
}

/**
 * Sends the request; resolves with a response whose status is below 400. Rejects with the provider's GatewayError
 * for an error status (the key redacted from its message, should the upstream echo it), an UpstreamConnectionError
 * when nothing answered, or the signal's reason once it aborted.
 */
export async function sendUpstream(
  request: UpstreamRequest,
  errorFromStatus: ErrorFromStatus,
): Promise<Response> {
  const init: RequestInit = {
    method: request.body === undefined ? "GET" : "POST",
    headers: request.apiKey ? withKey(request, request.apiKey) : request.headers,
    body: request.body,
    signal: request.signal,
    redirect: "manual",
  };
  let response: Response;
  try {
    response = await fetch(request.url, init);
    // The common case is no redirect: only then is the URL parsed, to compare origins.
    if (isRedirect(response.status)) response = await followSameOrigin(request.url, init, response);
  } catch (thrown) {
    throw connectionFailure(thrown, request);
  }
  if (response.status >= 400) throw await statusFailure(response, request, errorFromStatus);
  return response;
}

/** The shared headers plus the key: one object per request, the shared one left as it is. */
function withKey({ headers, keyHeader }: UpstreamRequest, apiKey: string): Record<string, string> {
  return { ...headers, [keyHeader]: keyHeader === "authorization" ? `Bearer ${apiKey}` : apiKey };
}

async function statusFailure(
  response: Response,
  request: UpstreamRequest,
  errorFromStatus: ErrorFromStatus,
): Promise<GatewayError> {
  const body = await response.text().catch(() => "");
  const error = errorFromStatus({
    providerId: request.provider.id,
    status: response.status,
    body,
    headers: response.headers,
    keySource: keySourceOf(request.provider, request.apiKey),
  });
  // Upstreams quote a refused key back now and then; it must not reach the client or a log line.
  error.message = redactText(error.message, request.apiKey ? [request.apiKey] : []);
  return error;
}

/** A failed fetch: the caller's abort as its reason, our own errors as they are, anything else no connection. */
function connectionFailure(thrown: unknown, request: UpstreamRequest): unknown {
  if (request.signal.aborted) return request.signal.reason;
  if (thrown instanceof GatewayError) return thrown;
  const code = (thrown as { code?: unknown } | null)?.code;
  const detail = typeof code === "string" ? code : thrown instanceof Error ? thrown.message : String(thrown);
  return new UpstreamConnectionError(request.provider.id, redactText(detail), thrown);
}

/**
 * A whole (not streamed) answer: its text, and its JSON checked against the provider's wire schema. A body cut
 * off while it is read is a connection failure (retryable); one that is not JSON or not an answer, badResponse.
 */
export async function readAnswer<T>(
  response: Response,
  request: Pick<UpstreamRequest, "provider" | "signal">,
  schema: z.ZodType<T>,
  what: string,
): Promise<{ text: string; answer: T }> {
  const text = await readText(response, request);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw badResponse(request.provider.id, "the body is not JSON");
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw badResponse(request.provider.id, `the body is not ${what}`);
  return { text, answer: parsed.data };
}

/** The whole body as text; a read that fails is a connection failure, or the signal's reason once it aborted. */
export async function readText(
  response: Response,
  request: Pick<UpstreamRequest, "provider" | "signal">,
): Promise<string> {
  try {
    return await response.text();
  } catch (thrown) {
    if (request.signal.aborted) throw request.signal.reason;
    throw new UpstreamConnectionError(
      request.provider.id,
      "the answer was cut off before it was complete",
      thrown,
    );
  }
}

/** fetch with redirects followed only within the first URL's origin: the SDK clients (model lists) use it. */
export async function upstreamFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const sent: RequestInit = { ...init, redirect: "manual" };
  const response = await fetch(input, sent);
  return isRedirect(response.status) ? followSameOrigin(input, sent, response) : response;
}

const isRedirect = (status: number) => status >= 300 && status < 400 && status !== 304;

function urlOf(input: RequestInfo | URL): URL {
  if (input instanceof URL) return input;
  if (typeof input === "string") return new URL(input);
  return new URL(input.url);
}

/** Follows `first`'s redirects while they stay on the first URL's origin (at most MAX_REDIRECTS). */
async function followSameOrigin(
  input: RequestInfo | URL,
  init: RequestInit,
  first: Response,
): Promise<Response> {
  let response = first;
  let url = urlOf(input);
  const origin = url.origin;
  for (let hop = 0; ; hop++) {
    const location = response.headers.get("location");
    if (!location) return response;
    const next = new URL(location, url);
    await response.body?.cancel();
    if (next.origin !== origin) {
      throw new CrossOriginRedirectError(
        `the upstream redirected to another host (${next.host}); not followed`,
      );
    }
    if (hop >= MAX_REDIRECTS) throw new CrossOriginRedirectError("the upstream redirected too many times");
    url = next;
    response = await fetch(next, init);
    if (!isRedirect(response.status)) return response;
  }
}

/**
 * One value per provider config object, built on first use: config reloads make new objects (and so new values),
 * requests share one. For what every request to a provider repeats (URL, headers, an SDK client).
 */
export function perProvider<T>(build: (provider: ProviderConfig) => T): (provider: ProviderConfig) => T {
  const values = new WeakMap<ProviderConfig, T>();
  return (provider) => {
    let value = values.get(provider);
    if (value === undefined) {
      value = build(provider);
      values.set(provider, value);
    }
    return value;
  };
}
