// The key a request sends upstream: the configured one, else (without client auth) the caller's own bearer.
import { AuthenticationError } from "../api/errors.ts";
import type { ProviderConfig } from "../config/schema.ts";

export function bearerToken(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  return match?.[1];
}

export function upstreamKey(
  provider: ProviderConfig,
  callerToken: string | undefined,
  clientAuth: boolean,
): string | undefined {
  if (provider.api_key) return provider.api_key;
  // With client auth on, the caller's bearer is the gateway's own key and never goes upstream.
  if (!clientAuth && callerToken) return callerToken;
  if (!provider.api_key_required) return undefined;
  const variable = provider.api_key_env ?? `${provider.id.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_API_KEY`;
  throw new AuthenticationError(
    `Provider '${provider.id}' needs an API key and none is configured: set ${variable} in the gateway's environment` +
      (clientAuth ? "" : " (or send your own key as Authorization: Bearer)"),
    "missing_api_key",
  );
}
