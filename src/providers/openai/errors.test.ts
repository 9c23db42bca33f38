// OpenAI error bodies and statuses, from recorded responses, -> GatewayError with the right status and kind.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { retryDelayMs } from "../../routing/retry-after.ts";
import { errorFromStatus } from "./errors.ts";

function fixture(name: string): string {
  return readFileSync(join(import.meta.dir, "__fixtures__", name), "utf8");
}

/** A recorded raw HTTP response (httprr): status, headers, body. */
function parseHttp(name: string): { status: number; headers: Headers; body: unknown } {
  const text = fixture(name);
  const split = text.indexOf("\r\n\r\n") >= 0 ? text.indexOf("\r\n\r\n") : text.indexOf("\n\n");
  const head = text.slice(0, split).split(/\r?\n/);
  const status = Number(head[0]?.split(" ")[1]);
  const headers = new Headers();
  for (const line of head.slice(1)) {
    const colon = line.indexOf(":");
    headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  return { status, headers, body: JSON.parse(text.slice(split).trim()) };
}

const errorOf = (name: string) => (JSON.parse(fixture(name)) as { error: unknown }).error;

describe("recorded OpenAI errors", () => {
  test("404 model_not_found: misconfigured, message and code kept", () => {
    const error = errorFromStatus("openai", 404, errorOf("error-404-model-not-found.json"), undefined, true);
    expect([error.status, error.kind, error.code]).toEqual([404, "misconfigured", "model_not_found"]);
    expect(error.message).toContain("gpt-5.2-proo");
  });

  test("400 unsupported_parameter: the client's to fix, param kept", () => {
    const error = errorFromStatus(
      "openai",
      400,
      errorOf("error-400-unsupported-parameter.json"),
      undefined,
      true,
    );
    expect([error.status, error.kind, error.param, error.type]).toEqual([
      400,
      "client",
      "max_tokens",
      "invalid_request_error",
    ]);
  });

  test("400 unsupported system role: a client error", () => {
    const error = errorFromStatus(
      "openai",
      400,
      errorOf("error-400-unsupported-value-system-role.json"),
      undefined,
      true,
    );
    expect(error.kind).toBe("client");
    expect(error.code).toBe("unsupported_value");
  });

  test("429 insufficient_quota: an empty account, not a rate limit (fail over, disable with a configured key)", () => {
    const error = errorFromStatus(
      "openai",
      429,
      errorOf("error-429-insufficient-quota.json"),
      undefined,
      true,
    );
    expect([error.status, error.kind, error.code]).toEqual([429, "misconfigured", "insufficient_quota"]);
    expect(
      errorFromStatus("openai", 429, errorOf("error-429-insufficient-quota.json"), undefined, false).kind,
    ).toBe("client");
  });

  test("OpenRouter 429: rate limited, with the X-RateLimit-Reset epoch as the wait", () => {
    const { status, headers, body } = parseHttp("error-429-openai-compatible-openrouter-httprr.http");
    const error = errorFromStatus("openrouter", status, (body as { error: unknown }).error, headers, true);
    expect([error.status, error.kind]).toEqual([429, "rate_limited"]);
    expect(error.message).toContain("Rate limit exceeded");
    const recordedAt = Date.parse("Fri, 08 Aug 2025 15:40:34 GMT");
    expect(retryDelayMs(error.retryHints, recordedAt)).toBe(1754667660000 - recordedAt);
  });

  test("context length: a 400 that fails over instead of failing", () => {
    const body = {
      message: "This model's maximum context length is 8192 tokens.",
      code: "context_length_exceeded",
    };
    expect(errorFromStatus("openai", 400, body, undefined, true).kind).toBe("context_length");
  });

  test("5xx are transient; a body that is not OpenAI's still gives a message", () => {
    const error = errorFromStatus("openai", 503, "<html>bad gateway</html>", undefined, true);
    expect([error.status, error.kind, error.type]).toEqual([503, "transient", "api_error"]);
    expect(error.message).toBe("upstream answered HTTP 503");
  });
});
