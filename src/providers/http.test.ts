// The one request helper: key header, abort, redirects within the configured host, error statuses handed to the
// provider's errorFromStatus with the key kept out, and whole answers read and checked.
import { afterAll, describe, expect, test } from "bun:test";
import { z } from "zod";
import { GatewayError, UpstreamConnectionError, UpstreamError } from "../api/errors.ts";
import type { ProviderConfig } from "../config/schema.ts";
import {
  CrossOriginRedirectError,
  perProvider,
  readAnswer,
  readText,
  sendUpstream,
  type UpstreamRequest,
  upstreamFetch,
} from "./http.ts";
import { bodyOf, closedPort, jsonResponse, rejection, startMock } from "./testing.ts";
import type { ErrorResponse } from "./types.ts";

const upstream = startMock((request) => {
  if (request.path === "/moved") return new Response(null, { status: 308, headers: { location: "/here" } });
  if (request.path === "/away") {
    return new Response(null, {
      status: 307,
      headers: { location: `http://localhost:${upstream.port}/here` },
    });
  }
  if (request.path === "/loop") return new Response(null, { status: 302, headers: { location: "/loop" } });
  if (request.path === "/refused") return jsonResponse({ error: "bad key sk-caller-key-0042" }, 401);
  if (request.path === "/slow") return Bun.sleep(300).then(() => new Response("late"));
  if (request.path === "/cut") return new Response(bodyOf(['{"choices":'], { failWith: new Error("reset") }));
  return new Response(`at ${request.path}`);
});
afterAll(() => upstream.stop());

const provider = {
  id: "p",
  name: "p",
  type: "openai",
  endpoint: upstream.url,
  api_key: "sk-configured",
} as ProviderConfig;

function call(path: string, overrides: Partial<UpstreamRequest> = {}): UpstreamRequest {
  return {
    provider,
    url: `${upstream.url}${path}`,
    headers: { "x-tenant": "t1" },
    keyHeader: "authorization",
    apiKey: "sk-caller-key-0042",
    body: "{}",
    signal: new AbortController().signal,
    ...overrides,
  };
}

const seen: ErrorResponse[] = [];
function errorFromStatus(response: ErrorResponse): GatewayError {
  seen.push(response);
  return new UpstreamError(response.providerId, `refused: ${response.body}`, {
    status: response.status,
    type: "x",
  });
}

describe("sendUpstream", () => {
  test("POSTs the body with the shared headers and the key in its header (Bearer for authorization)", async () => {
    const response = await sendUpstream(call("/here"), errorFromStatus);
    expect(await response.text()).toBe("at /here");
    const sent = upstream.requests.at(-1);
    expect([sent?.method, sent?.headers.get("authorization"), sent?.headers.get("x-tenant")]).toEqual([
      "POST",
      "Bearer sk-caller-key-0042",
      "t1",
    ]);
    await sendUpstream(call("/here", { keyHeader: "x-goog-api-key", body: undefined }), errorFromStatus);
    const get = upstream.requests.at(-1);
    expect([get?.method, get?.headers.get("x-goog-api-key"), get?.headers.has("authorization")]).toEqual([
      "GET",
      "sk-caller-key-0042",
      false,
    ]);
  });

  test("no key: no key header at all", async () => {
    await sendUpstream(call("/here", { apiKey: undefined }), errorFromStatus);
    expect(upstream.requests.at(-1)?.headers.has("authorization")).toBe(false);
  });

  test("a status >= 400 goes to errorFromStatus with its body and headers; the key is kept out of the message", async () => {
    const error = (await rejection(sendUpstream(call("/refused"), errorFromStatus))) as GatewayError;
    expect(seen.at(-1)).toMatchObject({ providerId: "p", status: 401, keySource: "caller" });
    expect(seen.at(-1)?.headers?.get("content-type")).toBe("application/json");
    expect(error.status).toBe(401);
    expect(error.message).toContain("bad key");
    expect(error.message).not.toContain("sk-caller-key-0042");
  });

  test("a redirect within the same origin is followed, one to another origin is refused, a loop ends", async () => {
    expect(await (await sendUpstream(call("/moved"), errorFromStatus)).text()).toBe("at /here");
    const away = await rejection(sendUpstream(call("/away"), errorFromStatus));
    expect(away).toBeInstanceOf(UpstreamConnectionError);
    expect((away as Error).message).toContain("another host");
    expect(((await rejection(sendUpstream(call("/loop"), errorFromStatus))) as Error).message).toContain(
      "too many",
    );
  });

  test("no connection: an UpstreamConnectionError naming the provider", async () => {
    const url = `http://127.0.0.1:${closedPort()}/`;
    const error = await rejection(sendUpstream(call("/", { url }), errorFromStatus));
    expect(error).toBeInstanceOf(UpstreamConnectionError);
    expect((error as GatewayError).message).toContain("Could not reach provider 'p'");
  });

  test("the attempt's signal is the deadline: its abort ends the wait at once, rejecting with its reason", async () => {
    const controller = new AbortController();
    const reason = new Error("first byte deadline");
    const pending = rejection(sendUpstream(call("/slow", { signal: controller.signal }), errorFromStatus));
    setTimeout(() => controller.abort(reason), 20);
    const started = performance.now();
    expect(await pending).toBe(reason);
    expect(performance.now() - started).toBeLessThan(250);
  });
});

describe("readText and readAnswer", () => {
  const schema = z.looseObject({ choices: z.array(z.unknown()) });

  test("the answer's text and its checked JSON", async () => {
    const request = call("/");
    const { text, answer } = await readAnswer(
      jsonResponse('{"choices":[],"id":"x"}'),
      request,
      schema,
      "an answer",
    );
    expect(text).toBe('{"choices":[],"id":"x"}');
    expect(answer.choices).toEqual([]);
  });

  test("not JSON, or not an answer: badResponse (retryable)", async () => {
    for (const body of ["<html>proxy error</html>", '{"id":"x"}']) {
      const error = await rejection(readAnswer(jsonResponse(body), call("/"), schema, "an answer"));
      expect(error).toMatchObject({ status: 502, kind: "bad_response", code: "bad_response" });
    }
  });

  test("a body cut off while it is read is a connection failure; after an abort, the signal's reason", async () => {
    const cut = await sendUpstream(call("/cut"), errorFromStatus);
    expect(await rejection(readText(cut, call("/")))).toBeInstanceOf(UpstreamConnectionError);
    const controller = new AbortController();
    const response = await sendUpstream(call("/cut", { signal: controller.signal }), errorFromStatus);
    controller.abort("gone");
    expect(await rejection(readText(response, { provider, signal: controller.signal }))).toBe("gone");
  });
});

test("upstreamFetch (the SDK clients' fetch) follows redirects only within the origin", async () => {
  expect(await (await upstreamFetch(`${upstream.url}/moved`)).text()).toBe("at /here");
  await expect(upstreamFetch(`${upstream.url}/away`)).rejects.toBeInstanceOf(CrossOriginRedirectError);
});

test("perProvider builds once per provider config object", () => {
  let built = 0;
  const valueFor = perProvider(() => ++built);
  const other = { ...provider };
  expect([valueFor(provider), valueFor(provider), valueFor(other)]).toEqual([1, 1, 2]);
});
