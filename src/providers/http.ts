// The fetch every adapter uses upstream: redirects are followed only within the configured host.
// A provider endpoint that redirects elsewhere could hand our key or the client's prompt to a host nobody configured.

import { GatewayError, UpstreamConnectionError, UpstreamTimeoutError } from "../api/errors.ts";
import { linkedController } from "./abort.ts";

const MAX_REDIRECTS = 3;

/** A redirect to another origin; adapters map it like a connection failure (the upstream did not answer usefully). */
export class CrossOriginRedirectError extends Error {
  override name = "CrossOriginRedirectError";
}

function urlOf(input: RequestInfo | URL): URL {
  if (input instanceof URL) return input;
  if (typeof input === "string") return new URL(input);
  return new URL(input.url);
}

const isRedirect = (status: number) => status >= 300 && status < 400 && status !== 304;

export async function upstreamFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  // Callers on the hot path pass redirect: "manual" themselves, which saves a copy of their init per request.
  const response = await fetch(input, init?.redirect === "manual" ? init : { ...init, redirect: "manual" });
  // The common case is no redirect: only then is the URL parsed, to compare origins.
  return isRedirect(response.status) ? followSameOrigin(input, init, response) : response;
}

/** Follows `response`'s redirects while they stay on the first URL's origin (at most MAX_REDIRECTS). */
async function followSameOrigin(
  input: RequestInfo | URL,
  init: RequestInit | undefined,
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
    response = await fetch(next, { ...init, redirect: "manual" });
    if (!isRedirect(response.status)) return response;
  }
}

export interface DeadlineFetchOptions {
  providerId: string;
  /** The attempt's signal: its abort is rethrown as it is. */
  signal: AbortSignal;
  /** Unset: no deadline of its own (the caller's signal bounds the wait). */
  headersTimeoutMs?: number;
}

/**
 * upstreamFetch with a deadline on the response headers only (the body may stream for as long as it needs):
 * late headers are an UpstreamTimeoutError, no answer at all an UpstreamConnectionError.
 */
export async function fetchWithHeadersDeadline(
  url: string,
  init: RequestInit,
  { providerId, signal, headersTimeoutMs }: DeadlineFetchOptions,
): Promise<Response> {
  if (headersTimeoutMs === undefined) {
    // The hot path: fetch itself, not through upstreamFetch (one async frame less per request).
    const sent =
      init.signal === signal && init.redirect === "manual"
        ? init
        : { ...init, signal, redirect: "manual" as const };
    try {
      const response = await fetch(url, sent);
      return isRedirect(response.status) ? await followSameOrigin(url, sent, response) : response;
    } catch (thrown) {
      throw connectionFailure(thrown, providerId, signal);
    }
  }
  const timer = linkedController(signal);
  let timedOut = false;
  const handle = setTimeout(() => {
    timedOut = true;
    timer.abort();
  }, headersTimeoutMs);
  try {
    return await upstreamFetch(url, { ...init, signal: timer.signal });
  } catch (thrown) {
    if (timedOut && !signal.aborted)
      throw new UpstreamTimeoutError(providerId, "response headers", headersTimeoutMs);
    throw connectionFailure(thrown, providerId, signal);
  } finally {
    clearTimeout(handle);
  }
}

/** A failed fetch as thrown to the adapter: the caller's abort and our own errors as they are, else no connection. */
function connectionFailure(thrown: unknown, providerId: string, signal: AbortSignal): unknown {
  if (thrown instanceof GatewayError || signal.aborted) return thrown;
  const code = (thrown as { code?: unknown } | null)?.code;
  const detail = typeof code === "string" ? code : thrown instanceof Error ? thrown.message : String(thrown);
  return new UpstreamConnectionError(providerId, detail, thrown);
}
