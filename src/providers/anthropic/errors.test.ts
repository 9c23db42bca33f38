// Recorded Anthropic error bodies (and the statuses the docs give) -> GatewayError status, kind, code and hints.
import { describe, expect, test } from "bun:test";
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from "@anthropic-ai/sdk";
import { UpstreamConnectionError, UpstreamTimeoutError } from "../../api/errors.ts";
import { fixtureJson, fixtureText } from "../testing.ts";
import { errorFromStatus, errorFromStreamEvent } from "./errors.ts";
import { mapAnthropicError } from "./sdk.ts";

function statusOf(metaName: string): number {
  return (fixtureJson("anthropic", metaName) as { status: { code: number } }).status.code;
}

describe("recorded error bodies", () => {
  test("404 not_found_error (model) -> misconfigured", () => {
    const error = errorFromStatus({
      providerId: "claude",
      status: statusOf("error-404-not-found-model.meta.json"),
      body: fixtureText("anthropic", "error-404-not-found-model.json"),
      keySource: "configured",
    });
    expect(error.status).toBe(404);
    expect(error.kind).toBe("misconfigured");
    expect(error.type).toBe("not_found_error");
    expect(error.code).toBe("not_found_error");
    expect(error.message).toContain("model: claude-sonet-4-5");
    expect(error.toBody().error.message).toContain("claude");
  });

  test("400 invalid_request_error -> client", () => {
    for (const name of [
      "error-400-invalid-request-effort.json",
      "error-400-invalid-request-tool-result.json",
    ]) {
      const error = errorFromStatus({
        providerId: "claude",
        status: 400,
        body: fixtureText("anthropic", name),
        keySource: "configured",
      });
      expect(error.status).toBe(400);
      expect(error.kind).toBe("client");
      expect(error.type).toBe("invalid_request_error");
      expect(error.code).toBe("invalid_request_error");
    }
    expect(statusOf("error-400-invalid-request-effort.meta.json")).toBe(400);
  });
});

// No 429/529/401/"prompt is too long" bodies were recorded (PROVENANCE.md, known gaps); these follow the
// documented envelope https://docs.anthropic.com/en/api/errors
function documented(type: string, message: string): string {
  return JSON.stringify({ type: "error", error: { type, message } });
}

describe("documented error types", () => {
  test("529 overloaded_error -> transient 503", () => {
    const error = errorFromStatus({
      providerId: "claude",
      status: 529,
      body: documented("overloaded_error", "Overloaded"),
      keySource: "configured",
    });
    expect(error.status).toBe(503);
    expect(error.kind).toBe("transient");
    expect(error.code).toBe("overloaded_error");
  });

  test("429 rate_limit_error -> rate_limited with retry-after and retry-after-ms", () => {
    const headers = new Headers({ "retry-after": "7", "retry-after-ms": "6500" });
    const error = errorFromStatus({
      providerId: "claude",
      status: 429,
      body: documented(
        "rate_limit_error",
        "Number of request tokens has exceeded your per-minute rate limit",
      ),
      headers,
      keySource: "configured",
    });
    expect(error.status).toBe(429);
    expect(error.kind).toBe("rate_limited");
    expect(error.type).toBe("rate_limit_error");
    expect(error.retryHints).toEqual({ retryAfter: "7", retryAfterMs: "6500" });
  });

  test("prompt is too long -> context_length", () => {
    const error = errorFromStatus({
      providerId: "claude",
      status: 400,
      body: documented("invalid_request_error", "prompt is too long: 215000 tokens > 200000 maximum"),
      keySource: "configured",
    });
    expect(error.kind).toBe("context_length");
    expect(error.code).toBe("context_length_exceeded");
    expect(error.status).toBe(400);
  });

  test("401/403 depend on whether the key is configured", () => {
    const body = documented("authentication_error", "invalid x-api-key");
    expect(errorFromStatus({ providerId: "c", status: 401, body, keySource: "configured" }).kind).toBe(
      "misconfigured",
    );
    expect(errorFromStatus({ providerId: "c", status: 401, body, keySource: "caller" }).kind).toBe("client");
    const forbidden = errorFromStatus({ providerId: "c", status: 403, body, keySource: "configured" });
    expect(forbidden.type).toBe("permission_error");
  });

  test("402 billing_error and 400 'credit balance is too low' -> misconfigured with a configured key", () => {
    const billing = errorFromStatus({
      providerId: "c",
      status: 402,
      body: documented("billing_error", "Your account has a billing issue"),
      keySource: "configured",
    });
    expect(billing).toMatchObject({ status: 402, kind: "misconfigured", code: "billing_error" });
    const lowCredit = errorFromStatus({
      providerId: "c",
      status: 400,
      body: documented(
        "invalid_request_error",
        "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.",
      ),
      keySource: "configured",
    });
    expect(lowCredit).toMatchObject({ status: 400, kind: "misconfigured", code: "billing_error" });
    // The caller's own key: the caller's account, answered as is.
    expect(
      errorFromStatus({
        providerId: "c",
        status: 402,
        body: documented("billing_error", "billing"),
        keySource: "caller",
      }).kind,
    ).toBe("client");
  });

  test("a billing_error event inside a stream is misconfigured too", () => {
    const error = errorFromStreamEvent(
      "c",
      JSON.parse(documented("billing_error", "Your account has a billing issue")),
      "configured",
    );
    expect(error).toMatchObject({ status: 402, kind: "misconfigured" });
  });

  test("500 api_error and an unreadable body -> transient", () => {
    const error = errorFromStatus({ providerId: "c", status: 500, body: "<html>", keySource: "configured" });
    expect(error.kind).toBe("transient");
    expect(error.message).toContain("500");
  });
});

describe("SDK exceptions", () => {
  test("connection, timeout, abort and status errors", () => {
    expect(mapAnthropicError("c", new APIConnectionTimeoutError(), "configured", 1234)).toBeInstanceOf(
      UpstreamTimeoutError,
    );
    const refused = mapAnthropicError(
      "c",
      new APIConnectionError({ cause: new Error("ECONNREFUSED") }),
      "configured",
      1,
    );
    expect(refused).toBeInstanceOf(UpstreamConnectionError);
    const abort = new APIUserAbortError();
    expect(mapAnthropicError("c", abort, "configured", 1)).toBe(abort);
    const status = APIError.generate(
      529,
      documented("overloaded_error", "Overloaded"),
      undefined,
      new Headers(),
    );
    expect(mapAnthropicError("c", status, "configured", 1)).toMatchObject({ status: 503, kind: "transient" });
  });
});
