// Where a Gemini provider's requests go: the base URL and API version in its endpoint, and the chat URLs.
// REST reference: https://ai.google.dev/api/generate-content (POST {base}/{version}/models/{model}:generateContent,
// :streamGenerateContent?alt=sse for Server-Sent Events).
import { InvalidRequestError } from "../../api/errors.ts";

/** The Gemini API's version when the endpoint names none (@google/genai's default too). */
const DEFAULT_API_VERSION = "v1beta";

/** "https://host/v1beta" -> base URL and API version; a bare host gets the default version. */
export function splitEndpoint(endpoint: string): { baseUrl: string; apiVersion: string | undefined } {
  const trimmed = endpoint.replace(/\/+$/, "");
  const match = /^(.*)\/(v1(?:alpha|beta)?\d*)$/.exec(trimmed);
  return match?.[1] && match[2]
    ? { baseUrl: match[1], apiVersion: match[2] }
    : { baseUrl: trimmed, apiVersion: undefined };
}

/** "{base}/{version}/": what every model URL of a provider starts with. */
export function versionRoot(endpoint: string): string {
  const { baseUrl, apiVersion } = splitEndpoint(endpoint);
  return `${baseUrl}/${apiVersion ?? DEFAULT_API_VERSION}/`;
}

/**
 * The URL of `model`'s generate method. A bare name is a base model ("models/<name>"); "models/..." and
 * "tunedModels/..." are taken as they are, as @google/genai takes them. A name that could step out of the model's
 * path or add a query ("..", "?", "&", "#", or "%" that would spell them encoded) is refused: on the per-provider
 * route the client chooses it.
 */
export function modelUrl(root: string, model: string, stream: boolean): string {
  const path = modelPath(model);
  return stream ? `${root}${path}:streamGenerateContent?alt=sse` : `${root}${path}:generateContent`;
}

/** The URL of `model`'s token counter: https://ai.google.dev/api/tokens (POST {base}/{version}/models/{model}:countTokens). */
export function countTokensUrl(root: string, model: string): string {
  return `${root}${modelPath(model)}:countTokens`;
}

/** "models/<name>" for a bare name; the checks modelUrl documents. */
export function modelPath(model: string): string {
  if (model === "" || /\.\.|[?&#%]/.test(model)) {
    throw new InvalidRequestError(`'${model}' is not a valid Gemini model name`, {
      param: "model",
      code: "invalid_model",
    });
  }
  return model.startsWith("models/") || model.startsWith("tunedModels/") ? model : `models/${model}`;
}
