// OpenAI error bodies and statuses, from recorded responses, -> GatewayError with the right status and kind.
import { describe, expect, test } from "bun:test";
import type { KeySource } from "../../api/errors.ts";
import { retryDelayMs } from "../../routing/retry-after.ts";
import { fixtureHttp, fixtureText } from "../testing.ts";
import { errorFromStatus, errorFromStreamEvent } from "./errors.ts";

/** errorFromStatus on a recorded body (or any text) with the given status. */
function fromBody(status: number, body: string, keySource: KeySource = "configured", headers?: Headers) {
  return errorFromStatus({ providerId: "openai", status, body, headers, keySource });
}

const recorded = (name: string) => fixtureText("openai", name);

describe("recorded OpenAI errors", () => {
  test("404 model_not_found: misconfigured, message and code kept", () => {
    const error = fromBody(404, recorded("error-404-model-not-found.json"));
    expect([error.status, error.kind, error.code]).toEqual([404, "misconfigured", "model_not_found"]);
    expect(error.message).toContain("gpt-5.2-proo");
  });

  test("400 unsupported_parameter: the client's to fix, param kept", () => {
    const error = fromBody(400, recorded("error-400-unsupported-parameter.json"));
    expect([error.status, error.kind, error.param, error.type]).toEqual([
      400,
      "client",
      "max_tokens",
      "invalid_request_error",
    ]);
  });

  test("400 unsupported system role: a client error", () => {
    const error = fromBody(400, recorded("error-400-unsupported-value-system-role.json"));
    expect(error.kind).toBe("client");
    expect(error.code).toBe("unsupported_value");
  });

  test("429 insufficient_quota: an empty account, not a rate limit (fail over, disable with a configured key)", () => {
    const error = fromBody(429, recorded("error-429-insufficient-quota.json"));
    expect([error.status, error.kind, error.code]).toEqual([429, "misconfigured", "insufficient_quota"]);
    expect(fromBody(429, recorded("error-429-insufficient-quota.json"), "caller").kind).toBe("client");
    // No key sent at all: the provider's own account is empty (issue 14.3), so fail over and take it out.
    expect(fromBody(429, recorded("error-429-insufficient-quota.json"), "none").kind).toBe("misconfigured");
  });

  test("OpenRouter 429: rate limited, with the X-RateLimit-Reset epoch as the wait", () => {
    const { status, headers, body } = fixtureHttp(
      "openai",
      "error-429-openai-compatible-openrouter-httprr.http",
    );
    const error = errorFromStatus({
      providerId: "openrouter",
      status,
      body,
      headers,
      keySource: "configured",
    });
    expect([error.status, error.kind]).toEqual([429, "rate_limited"]);
    expect(error.message).toContain("Rate limit exceeded");
    const recordedAt = Date.parse("Fri, 08 Aug 2025 15:40:34 GMT");
    expect(retryDelayMs(error.retryHints, recordedAt)).toBe(1754667660000 - recordedAt);
  });

  test("context length: a 400 that fails over instead of failing", () => {
    const body = JSON.stringify({
      error: {
        message: "This model's maximum context length is 8192 tokens.",
        code: "context_length_exceeded",
      },
    });
    expect(fromBody(400, body).kind).toBe("context_length");
  });

  test("5xx are transient; a body that is not OpenAI's still gives a message", () => {
    const error = fromBody(503, "<html>bad gateway</html>");
    expect([error.status, error.kind, error.type]).toEqual([503, "transient", "api_error"]);
    expect(error.message).toBe("upstream answered HTTP 503");
  });

  test("a field of the wrong type is read as absent; the rest of the error still counts", () => {
    const error = fromBody(
      400,
      JSON.stringify({ error: { message: 42, code: "unsupported_value", param: 7 } }),
    );
    expect([error.message, error.code, error.param]).toEqual([
      "upstream answered HTTP 400",
      "unsupported_value",
      null,
    ]);
  });

  test("an in-stream error event: its numeric code is the status, else 502", () => {
    const limited = errorFromStreamEvent(
      "openrouter",
      { error: { message: "Rate limit exceeded", code: 429 } },
      "caller",
    );
    expect([limited.status, limited.kind, limited.message]).toEqual([
      429,
      "rate_limited",
      "Rate limit exceeded",
    ]);
    expect(errorFromStreamEvent("vllm", { error: { message: "boom" } }, "caller").status).toBe(502);
  });
});
