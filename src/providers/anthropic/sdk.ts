// What needs the Anthropic SDK at run time: the model-list client, and its exceptions -> GatewayError.
// index.ts imports this module on first use, so start-up and an idle gateway do not pay for the SDK.
import Anthropic, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from "@anthropic-ai/sdk";
import {
  GatewayError,
  type KeySource,
  UpstreamConnectionError,
  UpstreamTimeoutError,
} from "../../api/errors.ts";
import type { ProviderConfig } from "../../config/schema.ts";
import type { Logger } from "../../log/logger.ts";
import { upstreamFetch } from "../http.ts";
import { errorFromStatus } from "./errors.ts";

/** The SDK client, kept to the key the gateway hands it. */
class GatewayAnthropic extends Anthropic {
  // Otherwise the SDK looks for credentials in ANTHROPIC_* variables and profile files on this machine.
  protected override _shouldResolveDefaultCredentials(): boolean {
    return false;
  }
  // Otherwise the SDK refuses to send without a key; a provider without one (a local proxy) gets none.
  protected override validateHeaders(): void {}
}

function sdkLogger(logger: Logger) {
  return {
    error: (message: string) => logger.error(message),
    warn: (message: string) => logger.warn(message),
    info: (message: string) => logger.debug(message),
    debug: (message: string) => logger.debug(message),
  };
}

export function createAnthropicClient(provider: ProviderConfig, logger: Logger): Anthropic {
  return new GatewayAnthropic({
    apiKey: null,
    authToken: null,
    baseURL: provider.endpoint,
    maxRetries: 0,
    defaultHeaders: provider.headers,
    fetch: upstreamFetch,
    logger: sdkLogger(logger),
    logLevel: "warn",
  });
}

/** Maps whatever the SDK threw; an abort is rethrown as it is so the caller sees its own reason. */
export function mapAnthropicError(
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
    const detail = thrown.cause instanceof Error ? thrown.cause.message : thrown.message;
    return new UpstreamConnectionError(providerId, detail, thrown);
  }
  if (thrown instanceof APIError && typeof thrown.status === "number") {
    // The SDK keeps the parsed body; errorFromStatus reads it as it came.
    return errorFromStatus({
      providerId,
      status: thrown.status,
      body: JSON.stringify(thrown.error ?? null),
      headers: thrown.headers,
      keySource,
    });
  }
  return thrown;
}
