// What needs the OpenAI SDK at run time: the model-list client, and its exceptions -> GatewayError.
// index.ts imports this module on first use, so start-up and an idle gateway do not pay for the SDK.
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import {
  GatewayError,
  type KeySource,
  UpstreamConnectionError,
  UpstreamTimeoutError,
} from "../../api/errors.ts";
import type { ProviderConfig } from "../../config/schema.ts";
import { upstreamFetch } from "../http.ts";
import { errorFromStatus } from "./errors.ts";

export function createOpenAIClient(provider: ProviderConfig): OpenAI {
  return new OpenAI({
    // The key goes per request; "unused" stops the SDK from reading OPENAI_API_KEY from the environment.
    apiKey: "unused",
    organization: null,
    project: null,
    baseURL: provider.endpoint,
    maxRetries: 0,
    defaultHeaders: provider.headers,
    fetch: upstreamFetch,
  });
}

/** Maps whatever the SDK threw; an abort is rethrown as it is so the caller sees its own reason. */
export function mapOpenAIError(
  providerId: string,
  thrown: unknown,
  keySource: KeySource,
  timeoutMs: number,
): unknown {
  if (thrown instanceof GatewayError) return thrown;
  if (thrown instanceof APIUserAbortError) return thrown;
  if (thrown instanceof APIConnectionTimeoutError) {
    return new UpstreamTimeoutError(providerId, "the model list", timeoutMs);
  }
  if (thrown instanceof APIConnectionError) {
    const cause = thrown.cause instanceof Error ? thrown.cause.message : thrown.message;
    return new UpstreamConnectionError(providerId, cause, thrown);
  }
  if (thrown instanceof APIError && typeof thrown.status === "number") {
    // The SDK keeps the body's `error` object; errorFromStatus reads the body it came in.
    return errorFromStatus({
      providerId,
      status: thrown.status,
      body: JSON.stringify({ error: thrown.error }),
      headers: thrown.headers,
      keySource,
    });
  }
  return thrown;
}
