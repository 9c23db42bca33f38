// Recorded Gemini error bodies -> GatewayError status, kind, code and retry hints.
import { describe, expect, test } from "bun:test";
import { ApiError } from "@google/genai";
import { GatewayError, UpstreamConnectionError } from "../../api/errors.ts";
import { errorFromStatus } from "./errors.ts";
import { mapThrown } from "./sdk.ts";
import { fixtureJson, fixtureText } from "./test-fixtures.ts";

/** Status, headers and body of a raw recorded HTTP response (.http, httprr format). */
function parseHttp(raw: string): { status: number; headers: Headers; body: string } {
  const match = /\r?\n\r?\n/.exec(raw);
  const split = match?.index ?? raw.length;
  const head = raw.slice(0, split).split(/\r?\n/);
  const status = Number(head[0]?.split(" ")[1]);
  const headers = new Headers();
  for (const line of head.slice(1)) {
    const at = line.indexOf(":");
    headers.append(line.slice(0, at).trim(), line.slice(at + 1).trim());
  }
  return { status, headers, body: raw.slice(split + (match?.[0].length ?? 0)) };
}

describe("recorded errors", () => {
  test("error-429-resource-exhausted-retryinfo.json -> rate_limited with RetryInfo delay", () => {
    const error = errorFromStatus({
      providerId: "google",
      status: 429,
      body: fixtureText("error-429-resource-exhausted-retryinfo.json"),
      keyConfigured: true,
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
      body: fixtureText("error-429-resource-exhausted-retryinfo.json"),
      headers: new Headers({ "retry-after": "12" }),
      keyConfigured: true,
    });
    expect(error.retryHints).toEqual({ retryDelay: "34.4s", retryAfter: "12" });
    expect(error.headers).toEqual({ "retry-after": "12" });
  });

  test("error-404-model-not-found.json -> misconfigured", () => {
    const meta = fixtureJson("error-404-model-not-found.meta.json") as { status: { code: number } };
    const error = errorFromStatus({
      providerId: "google",
      status: meta.status.code,
      body: fixtureText("error-404-model-not-found.json"),
      keyConfigured: true,
    });
    expect(error.status).toBe(404);
    expect(error.kind).toBe("misconfigured");
    expect(error.type).toBe("not_found_error");
    expect(error.code).toBe("model_not_found");
    expect(error.message).toContain("models/gemini-3.6-flahs is not found");
  });

  test("error-403-permission-denied-httprr.http -> kindForStatus(403)", () => {
    const { status, headers, body } = parseHttp(fixtureText("error-403-permission-denied-httprr.http"));
    const configured = errorFromStatus({ providerId: "google", status, body, headers, keyConfigured: true });
    expect(configured.status).toBe(403);
    expect(configured.kind).toBe("misconfigured");
    expect(configured.type).toBe("permission_error");
    expect(configured.code).toBe("permission_denied");
    const callerKey = errorFromStatus({ providerId: "google", status, body, headers, keyConfigured: false });
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
      keyConfigured: true,
    });
    expect(error).toMatchObject({ status: 503, kind: "transient", type: "api_error", code: "unavailable" });
  });

  test("400 INVALID_ARGUMENT -> client; a too-long prompt -> context_length", () => {
    const plain = errorFromStatus({
      providerId: "google",
      status: 400,
      body: body(400, "INVALID_ARGUMENT", "Invalid JSON payload received."),
      keyConfigured: true,
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
      keyConfigured: true,
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
      keyConfigured: true,
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
      keyConfigured: true,
      signal: new AbortController().signal,
    });
    expect(error).toMatchObject({ status: 503, kind: "transient" });
  });

  test("a non-JSON error body still maps by status", () => {
    const error = errorFromStatus({
      providerId: "google",
      status: 502,
      body: "<html>Bad Gateway</html>",
      keyConfigured: true,
    });
    expect(error).toMatchObject({ status: 502, kind: "transient" });
    expect(error.message).toContain("Bad Gateway");
  });
});

describe("mapThrown", () => {
  const signal = new AbortController().signal;

  test("GatewayErrors pass through; an abort is rethrown unchanged", () => {
    const connection = new UpstreamConnectionError("google", "refused");
    expect(mapThrown(connection, { providerId: "google", keyConfigured: true, signal })).toBe(connection);
    const controller = new AbortController();
    controller.abort();
    const abort = new DOMException("aborted", "AbortError");
    expect(mapThrown(abort, { providerId: "google", keyConfigured: true, signal: controller.signal })).toBe(
      abort,
    );
  });

  test("other failures: mid-stream -> cut (transient), otherwise bad_response", () => {
    const cut = mapThrown(new Error("Incomplete JSON segment at the end"), {
      providerId: "google",
      keyConfigured: true,
      signal,
      midStream: true,
    });
    expect(cut).toBeInstanceOf(GatewayError);
    expect(cut).toMatchObject({ status: 502, kind: "transient", code: "stream_cut" });
    const bad = mapThrown(new SyntaxError("Unexpected token"), {
      providerId: "google",
      keyConfigured: true,
      signal,
    });
    expect(bad).toMatchObject({ status: 502, kind: "bad_response" });
  });
});
