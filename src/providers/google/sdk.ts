// What needs the @google/genai SDK at run time: the client, and its exceptions -> GatewayError.
// index.ts imports this module on first use, so start-up and a gateway without Gemini do not pay for the SDK.
import { ApiError, GoogleGenAI } from "@google/genai";
import { GatewayError } from "../../api/errors.ts";
import type { ProviderConfig } from "../../config/schema.ts";
import { badResponse, errorFromStatus, streamCutError, type ThrownContext } from "./errors.ts";
import type { Transport } from "./transport.ts";

/** "https://host/v1beta" -> base URL and API version; a bare host keeps the SDK's default version (v1beta). */
function splitEndpoint(endpoint: string): { baseUrl: string; apiVersion?: string } {
  const trimmed = endpoint.replace(/\/+$/, "");
  const match = /^(.*)\/(v1(?:alpha|beta)?\d*)$/.exec(trimmed);
  return match?.[1] && match[2] ? { baseUrl: match[1], apiVersion: match[2] } : { baseUrl: trimmed };
}

export function createClient(
  provider: ProviderConfig,
  apiKey: string | undefined,
  transport: Transport,
): GoogleGenAI {
  const { baseUrl, apiVersion } = splitEndpoint(provider.endpoint);
  return new GoogleGenAI({
    vertexai: false,
    // A placeholder stops the SDK from reading GEMINI_API_KEY / GOOGLE_API_KEY or trying Google ADC;
    // the transport removes the header when there is no key.
    apiKey: apiKey ?? "unused",
    httpOptions: { baseUrl, apiVersion, headers: { ...provider.headers }, fetch: transport.fetch },
  });
}

/**
 * Anything the SDK threw -> what the adapter rejects with. GatewayErrors (made by our fetch wrapper) pass
 * through; a caller abort is rethrown unchanged.
 */
export function mapThrown(thrown: unknown, context: ThrownContext): unknown {
  if (thrown instanceof GatewayError) return thrown;
  if (context.signal.aborted) return thrown;
  if (thrown instanceof ApiError) {
    const message = thrown.message;
    return errorFromStatus({
      providerId: context.providerId,
      status: thrown.status,
      body: message,
      headers: context.headers,
      keyConfigured: context.keyConfigured,
    });
  }
  return context.midStream
    ? streamCutError(context.providerId, thrown)
    : badResponse(context.providerId, thrown);
}
