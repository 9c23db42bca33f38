// The fetch the Gemini SDK uses: key only in its header, a response-headers deadline, connection errors typed.
import type { Fetch } from "@google/genai";
import { UpstreamConnectionError, UpstreamTimeoutError } from "../../api/errors.ts";
import { redactText } from "../../log/logger.ts";
import { upstreamFetch } from "../http.ts";

export interface Transport {
  fetch: Fetch;
  /** Headers of the last response, read for Retry-After (the SDK's ApiError carries only status and body). */
  lastHeaders(): Headers | undefined;
}

const KEY_HEADER = "x-goog-api-key";

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return redactText(message || "connection failed");
}

/**
 * One transport per request. `headersTimeoutMs` bounds the wait for response headers only (0: none); the
 * body then streams for as long as the caller's signal allows.
 */
export function createTransport(
  providerId: string,
  apiKey: string | undefined,
  headersTimeoutMs: number,
): Transport {
  let lastHeaders: Headers | undefined;

  const wrapped: Fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    // The SDK sends the key as a header; a key= query parameter must never leave this process.
    url.searchParams.delete("key");
    const headers = new Headers(init?.headers);
    if (apiKey === undefined) headers.delete(KEY_HEADER);
    const deadline = new AbortController();
    let timedOut = false;
    const timer =
      headersTimeoutMs > 0
        ? setTimeout(() => {
            timedOut = true;
            deadline.abort();
          }, headersTimeoutMs)
        : undefined;
    const signal = init?.signal ? AbortSignal.any([init.signal, deadline.signal]) : deadline.signal;
    try {
      const response = await upstreamFetch(url, { ...init, headers, signal });
      lastHeaders = response.headers;
      return response;
    } catch (error) {
      if (init?.signal?.aborted) throw error;
      if (timedOut) throw new UpstreamTimeoutError(providerId, "response headers", headersTimeoutMs);
      throw new UpstreamConnectionError(providerId, describe(error), error);
    } finally {
      clearTimeout(timer);
    }
  };

  return { fetch: wrapped, lastHeaders: () => lastHeaders };
}
