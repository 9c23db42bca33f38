// Recorded Gemini error bodies -> GatewayError status, kind, code and retry hints.
import { describe, expect, test } from "bun:test";
import { ApiError } from "@google/genai";
import { GatewayError, UpstreamConnectionError } from "../../api/errors.ts";
import { fixtureHttp, fixtureJson, fixtureText } from "../testing.ts";
import { errorFromStatus, errorFromStreamEvent } from "./errors.ts";
import { mapThrown } from "./sdk.ts";

describe("recorded errors", () => {
  test("error-429-resource-exhausted-retryinfo.json -> rate_limited with RetryInfo delay", () => {
    const error = errorFromStatus({
      providerId: "google",
      status: 429,
      body: fixtureText("google", "error-429-resource-exhausted-retryinfo.json"),
      keySource: "configured",
    });
    expect(error.status).toBe(429);
    expect(error.kind).toBe("rate_limited");
    expect(error.type).toBe("rate_limit_error");
    expect(error.code).toBe("rate_limit_exceeded");
    expect(error.retryHints).toEqual({ retryDelay: "34.4s" });
    expect(error.headers).toEqual({ "retry-after": "35" });
    expect(error.message).toContain("You exceeded your current quota");
    expect(error.message).toContain("RESOURCE_EXHAUSTED");
  });

  test("429 with a retry-after header keeps both hints", () => {
    const error = errorFromStatus({
      providerId: "google",
      status: 429,
      body: fixtureText("google", "error-429-resource-exhausted-retryinfo.json"),
      headers: new Headers({ "retry-after": "12" }),
      keySource: "configured",
    });
    expect(error.retryHints).toEqual({ retryDelay: "34.4s", retryAfter: "12" });
    expect(error.headers).toEqual({ "retry-after": "12" });
  });

  test("error-404-model-not-found.json -> misconfigured", () => {
    const meta = fixtureJson("google", "error-404-model-not-found.meta.json") as { status: { code: number } };
    const error = errorFromStatus({
      providerId: "google",
      status: meta.status.code,
      body: fixtureText("google", "error-404-model-not-found.json"),
      keySource: "configured",
    });
    expect(error.status).toBe(404);
    expect(error.kind).toBe("misconfigured");
    expect(error.type).toBe("not_found_error");
    expect(error.code).toBe("model_not_found");
    expect(error.message).toContain("models/gemini-3.6-flahs is not found");
  });

  test("error-403-permission-denied-httprr.http -> kindForStatus(403)", () => {
    const { status, headers, body } = fixtureHttp("google", "error-403-permission-denied-httprr.http");
    const configured = errorFromStatus({
      providerId: "google",
      status,
      body,
      headers,
      keySource: "configured",
    });
    expect(configured.status).toBe(403);
    expect(configured.kind).toBe("misconfigured");
    expect(configured.type).toBe("permission_error");
    expect(configured.code).toBe("permission_denied");
    const callerKey = errorFromStatus({ providerId: "google", status, body, headers, keySource: "caller" });
    expect(callerKey.kind).toBe("client");
  });
});

describe("statuses without recordings", () => {
  const body = (code: number, status: string, message: string, details: unknown[] = []) =>
    JSON.stringify({ error: { code, message, status, details } });

  test("503 UNAVAILABLE -> transient", () => {
    const error = errorFromStatus({
      providerId: "google",
      status: 503,
      body: body(503, "UNAVAILABLE", "The model is overloaded. Please try again later."),
      keySource: "configured",
    });
    expect(error).toMatchObject({ status: 503, kind: "transient", type: "api_error", code: "unavailable" });
  });

  test("400 INVALID_ARGUMENT -> client; a too-long prompt -> context_length", () => {
    const plain = errorFromStatus({
      providerId: "google",
      status: 400,
      body: body(400, "INVALID_ARGUMENT", "Invalid JSON payload received."),
      keySource: "configured",
    });
    expect(plain).toMatchObject({
      status: 400,
      kind: "client",
      type: "invalid_request_error",
      code: "invalid_argument",
    });
    const tooLong = errorFromStatus({
      providerId: "google",
      status: 400,
      body: body(
        400,
        "INVALID_ARGUMENT",
        "The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).",
      ),
      keySource: "configured",
    });
    expect(tooLong).toMatchObject({ status: 400, kind: "context_length", code: "context_length_exceeded" });
  });

  test("a bad key (400 + API_KEY_INVALID) -> 401", () => {
    const error = errorFromStatus({
      providerId: "google",
      status: 400,
      body: body(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", [
        { "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID" },
      ]),
      keySource: "configured",
    });
    expect(error).toMatchObject({ status: 401, kind: "misconfigured", type: "authentication_error" });
  });

  test('an SDK in-stream error ("got status: ..." prefix) is parsed', () => {
    const thrown = new ApiError({
      message: `got status: UNAVAILABLE. ${body(503, "UNAVAILABLE", "overloaded")}`,
      status: 503,
    });
    const error = mapThrown(thrown, {
      providerId: "google",
      keySource: "configured",
      signal: new AbortController().signal,
    });
    expect(error).toMatchObject({ status: 503, kind: "transient" });
  });

  test("a non-JSON error body still maps by status", () => {
    const error = errorFromStatus({
      providerId: "google",
      status: 502,
      body: "<html>Bad Gateway</html>",
      keySource: "configured",
    });
    expect(error).toMatchObject({ status: 502, kind: "transient" });
    expect(error.message).toContain("Bad Gateway");
  });
});

describe("mapThrown", () => {
  const signal = new AbortController().signal;

  test("GatewayErrors pass through; after an abort, the signal's reason", () => {
    const connection = new UpstreamConnectionError("google", "refused");
    expect(mapThrown(connection, { providerId: "google", keySource: "configured", signal })).toBe(connection);
    const controller = new AbortController();
    controller.abort();
    const abort = new DOMException("aborted", "AbortError");
    expect(
      mapThrown(abort, { providerId: "google", keySource: "configured", signal: controller.signal }),
    ).toBe(controller.signal.reason);
  });

  test("anything else the SDK throws while listing is a bad_response", () => {
    const bad = mapThrown(new SyntaxError("Unexpected token"), {
      providerId: "google",
      keySource: "configured",
      signal,
    });
    expect(bad).toMatchObject({ status: 502, kind: "bad_response" });
  });
});

test("an error event inside a 200 stream: its google.rpc.Status code is the status", () => {
  const payload = fixtureJson("google", "error-429-resource-exhausted-retryinfo.json");
  const error = errorFromStreamEvent("google", payload, "configured");
  expect(error).toBeInstanceOf(GatewayError);
  expect(error).toMatchObject({ status: 429, kind: "rate_limited", retryHints: { retryDelay: "34.4s" } });
});
