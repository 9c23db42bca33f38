// What needs the @google/genai SDK at run time: the model-list client, and its exceptions -> GatewayError.
// index.ts imports this module on first use, so start-up and a gateway without Gemini do not pay for the SDK.
// Chat does not use the SDK: it goes over fetch (http.ts), the SDK's request building costing too much CPU.
import { ApiError, type Fetch, GoogleGenAI, type HttpOptions } from "@google/genai";
import { GatewayError, type KeySource, UpstreamConnectionError } from "../../api/errors.ts";
import type { ProviderConfig } from "../../config/schema.ts";
import { redactText } from "../../log/logger.ts";
import { badResponse } from "../errors.ts";
import { upstreamFetch } from "../http.ts";
import { splitEndpoint } from "./endpoint.ts";
import { errorFromStatus } from "./errors.ts";

const KEY_HEADER = "x-goog-api-key";
/**
 * The client's own key: a placeholder that stops the SDK from reading GEMINI_API_KEY / GOOGLE_API_KEY or trying
 * Google ADC. The real key goes per request (keyOptions); without one, the fetch below removes the placeholder.
 */
const NO_KEY = "aisbf-no-key";

/** The SDK's fetch: the key only in its header, redirects within the host, a failed connection typed. */
function gatewayFetch(providerId: string): Fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    // The SDK sends the key as a header; a key= query parameter must never leave this process.
    url.searchParams.delete("key");
    const headers = new Headers(init?.headers);
    if (headers.get(KEY_HEADER) === NO_KEY) headers.delete(KEY_HEADER);
    try {
      return await upstreamFetch(url, { ...init, headers });
    } catch (error) {
      if (init?.signal?.aborted) throw error;
      const detail = error instanceof Error ? error.message : String(error);
      throw new UpstreamConnectionError(providerId, redactText(detail || "connection failed"), error);
    }
  };
}

/** One client per provider config (index.ts keeps it): the key is not in it, so requests with any key share it. */
export function createModelsClient(provider: ProviderConfig): GoogleGenAI {
  const { baseUrl, apiVersion } = splitEndpoint(provider.endpoint);
  return new GoogleGenAI({
    vertexai: false,
    apiKey: NO_KEY,
    httpOptions: { baseUrl, apiVersion, headers: { ...provider.headers }, fetch: gatewayFetch(provider.id) },
  });
}

/** The per-request options that carry the key (the SDK keeps a key header it finds, adding its own otherwise). */
export function keyOptions(apiKey: string | undefined): HttpOptions {
  return apiKey ? { headers: { [KEY_HEADER]: apiKey } } : {};
}

export interface ThrownContext {
  providerId: string;
  keySource: KeySource;
  signal: AbortSignal;
}

/**
 * Anything the SDK threw -> what the adapter rejects with. GatewayErrors (made by our fetch) pass through; after
 * the caller's abort, its reason.
 */
export function mapThrown(thrown: unknown, context: ThrownContext): unknown {
  if (context.signal.aborted) return context.signal.reason;
  if (thrown instanceof GatewayError) return thrown;
  if (thrown instanceof ApiError) {
    return errorFromStatus({
      providerId: context.providerId,
      status: thrown.status,
      // The SDK's message holds the error body (after "got status: ..." for errors it read mid-stream).
      body: thrown.message,
      keySource: context.keySource,
    });
  }
  return badResponse(context.providerId, "the model list could not be read", thrown);
}
