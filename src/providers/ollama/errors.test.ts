// Ollama error statuses and bodies (the recorded 400 and the documented shapes) -> GatewayError.
import { describe, expect, test } from "bun:test";
import { streamCutError } from "../../api/errors.ts";
import { fixtureHttp } from "../testing.ts";
import { errorFromStatus, errorFromStreamEvent, ollamaErrorMessage } from "./errors.ts";

describe("errorFromStatus", () => {
  test("error-400-model-does-not-support-tools-httprr.http -> unsupported: another model may serve it", () => {
    const { status, headers, body } = fixtureHttp(
      "ollama",
      "error-400-model-does-not-support-tools-httprr.http",
    );
    expect(status).toBe(400);
    const error = errorFromStatus({
      providerId: "ollama",
      status: status,
      body: body,
      headers: headers,
      keySource: "caller",
    });
    expect(error.status).toBe(400);
    expect(error.kind).toBe("unsupported");
    expect(error.type).toBe("invalid_request_error");
    expect(error.code).toBe("tools_not_supported");
    expect(error.message).toBe("registry.ollama.ai/library/gemma3:1b does not support tools");
    expect(error.providerId).toBe("ollama");
    expect(error.toBody()).toEqual({
      error: {
        message: "registry.ollama.ai/library/gemma3:1b does not support tools",
        type: "invalid_request_error",
        code: "tools_not_supported",
        param: null,
      },
    });
  });

  test("404 model not found -> misconfigured", () => {
    const error = errorFromStatus({
      providerId: "ollama",
      status: 404,
      body: '{"error":"model \'llama9\' not found"}',
      keySource: "caller",
    });
    expect(error.status).toBe(404);
    expect(error.kind).toBe("misconfigured");
    expect(error.type).toBe("not_found_error");
    expect(error.code).toBe("model_not_found");
    expect(error.message).toBe("model 'llama9' not found");
  });

  test("429 keeps the retry hints", () => {
    const headers = new Headers({ "retry-after": "7" });
    const error = errorFromStatus({
      providerId: "ollama",
      status: 429,
      body: '{"error":"too many requests"}',
      headers: headers,
      keySource: "configured",
    });
    expect(error.kind).toBe("rate_limited");
    expect(error.type).toBe("rate_limit_error");
    expect(error.retryHints).toEqual({ retryAfter: "7", retryAfterMs: null });
  });

  test.each([
    [500, "transient"],
    [502, "transient"],
    [503, "transient"],
  ] as const)("%p -> %p", (status, kind) => {
    const error = errorFromStatus({
      providerId: "ollama",
      status: status,
      body: '{"error":"the model failed to generate a response"}',
      keySource: "caller",
    });
    expect(error.kind).toBe(kind);
    expect(error.status).toBe(status);
    expect(error.type).toBe("api_error");
  });

  test("401 is misconfigured only when a key is configured", () => {
    expect(
      errorFromStatus({
        providerId: "ollama",
        status: 401,
        body: '{"error":"unauthorized"}',
        keySource: "configured",
      }).kind,
    ).toBe("misconfigured");
    expect(
      errorFromStatus({
        providerId: "ollama",
        status: 401,
        body: '{"error":"unauthorized"}',
        keySource: "caller",
      }).kind,
    ).toBe("client");
  });

  test("a context-length message -> context_length", () => {
    const error = errorFromStatus({
      providerId: "ollama",
      status: 400,
      body: '{"error":"prompt is too long for the context window"}',
      keySource: "caller",
    });
    expect(error.kind).toBe("context_length");
  });

  test("a non-JSON body is used as the message, an empty one gets a generic message", () => {
    expect(
      errorFromStatus({ providerId: "ollama", status: 502, body: "Bad Gateway", keySource: "caller" })
        .message,
    ).toBe("Bad Gateway");
    expect(
      errorFromStatus({ providerId: "ollama", status: 502, body: "", keySource: "caller" }).message,
    ).toBe("upstream answered HTTP 502");
  });
});

describe("other errors", () => {
  test("ollamaErrorMessage reads string and nested error bodies only", () => {
    expect(ollamaErrorMessage({ error: "boom" })).toBe("boom");
    expect(ollamaErrorMessage({ error: { message: "nested" } })).toBe("nested");
    expect(ollamaErrorMessage({ model: "x", done: false })).toBeUndefined();
    expect(ollamaErrorMessage("text")).toBeUndefined();
  });

  test("in-stream errors are transient 502 unless the context is too long", () => {
    expect(
      errorFromStreamEvent("ollama", { error: "an error was encountered while running the model" }, "caller")
        .kind,
    ).toBe("transient");
    expect(
      errorFromStreamEvent("ollama", { error: "input exceeds the maximum context length" }, "caller").kind,
    ).toBe("context_length");
  });

  test("a cut stream is a transient 502", () => {
    const error = streamCutError("ollama");
    expect([error.status, error.kind, error.code]).toEqual([502, "transient", "stream_cut"]);
  });
});
