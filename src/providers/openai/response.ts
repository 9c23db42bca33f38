// OpenAI-compatible response body -> ChatCompletion, checked so a 200 carrying junk is not passed off as an answer.
import type { ChatCompletion } from "../../api/chat.ts";
import { UpstreamError } from "../../api/errors.ts";

export function parseOpenAIResponse(providerId: string, text: string): ChatCompletion {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid(providerId, "the body is not JSON");
  }
  const candidate = parsed as { choices?: unknown; object?: unknown } | null;
  if (candidate === null || typeof candidate !== "object" || !Array.isArray(candidate.choices)) {
    throw invalid(providerId, "the body has no choices");
  }
  return parsed as ChatCompletion;
}

function invalid(providerId: string, why: string): UpstreamError {
  return new UpstreamError(
    providerId,
    `Provider '${providerId}' sent an answer that is not a chat completion: ${why}`,
    {
      status: 502,
      type: "api_error",
      code: "bad_upstream_response",
      kind: "bad_response",
    },
  );
}
