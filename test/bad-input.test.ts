// Bad input: each case is a 4xx in OpenAI's error shape with a message that says what to fix; never a 500.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { openaiProvider, startGateway, type TestGateway } from "./helpers/gateway.ts";
import { jsonResponse, type MockUpstream, startMock } from "./helpers/mock-upstream.ts";

let upstream: MockUpstream;
let gateway: TestGateway;

beforeAll(() => {
  upstream = startMock(() => jsonResponse({ id: "x", object: "chat.completion", choices: [] }));
  gateway = startGateway({
    providers: { openai: openaiProvider("openai", `${upstream.url}/v1`) },
    maxBodyBytes: 4096,
  });
});
afterAll(async () => {
  await gateway.stop();
  await upstream.stop();
});

async function post(path: string, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${gateway.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  const json = (await response.json()) as {
    error: { message: string; type: string; code: string | null; param: string | null };
  };
  return { status: response.status, json };
}

function expectErrorShape(json: { error: Record<string, unknown> }) {
  expect(Object.keys(json.error).sort()).toEqual(["code", "message", "param", "type"]);
  expect(typeof json.error.message).toBe("string");
}

const valid = { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] };

describe("bad input", () => {
  const cases: Array<[string, string, string, number, string]> = [
    ["invalid JSON", "/api/openai/chat/completions", "{not json", 400, "not valid JSON"],
    ["a JSON array", "/api/openai/chat/completions", "[1,2]", 400, "must be a JSON object"],
    [
      "missing model",
      "/api/openai/chat/completions",
      JSON.stringify({ messages: valid.messages }),
      400,
      "model",
    ],
    ["missing messages", "/api/openai/chat/completions", JSON.stringify({ model: "m" }), 400, "messages"],
    [
      "empty messages",
      "/api/openai/chat/completions",
      JSON.stringify({ model: "m", messages: [] }),
      400,
      "at least one",
    ],
    [
      "messages of the wrong type",
      "/api/openai/chat/completions",
      JSON.stringify({ model: "m", messages: "hi" }),
      400,
      "messages",
    ],
    [
      "a bad role",
      "/api/openai/chat/completions",
      JSON.stringify({ model: "m", messages: [{ role: "wizard", content: "x" }] }),
      400,
      "messages[0]",
    ],
    [
      "temperature as a string",
      "/api/openai/chat/completions",
      JSON.stringify({ ...valid, temperature: "hot" }),
      400,
      "temperature",
    ],
    [
      "stream as a string",
      "/api/openai/chat/completions",
      JSON.stringify({ ...valid, stream: "yes" }),
      400,
      "stream",
    ],
    [
      "an unknown provider",
      "/api/nope/chat/completions",
      JSON.stringify(valid),
      404,
      "Unknown provider or rotation 'nope'",
    ],
    [
      "an unknown /v1 model",
      "/v1/chat/completions",
      JSON.stringify({ ...valid, model: "nope/x" }),
      404,
      "Unknown model",
    ],
    ["a bare unknown /v1 model", "/v1/chat/completions", JSON.stringify(valid), 404, "Unknown model"],
    [
      "a model with ..",
      "/api/openai/chat/completions",
      JSON.stringify({ ...valid, model: "../../admin" }),
      400,
      "model",
    ],
    [
      "a model with CRLF",
      "/api/openai/chat/completions",
      JSON.stringify({ ...valid, model: "a\r\nX-Evil: 1" }),
      400,
      "model",
    ],
    [
      "a very long model",
      "/api/openai/chat/completions",
      JSON.stringify({ ...valid, model: "m".repeat(3000) }),
      400,
      "model",
    ],
    [
      "a body nested 1,500 deep",
      "/api/openai/chat/completions",
      `{"model":"m","messages":[{"role":"user","content":"hi"}],"x":${"[".repeat(1_500)}${"]".repeat(1_500)}}`,
      400,
      "nests deeper",
    ],
  ];

  for (const [name, path, body, status, fragment] of cases) {
    test(`${name} -> ${status}`, async () => {
      const before = upstream.requests.length;
      const { status: got, json } = await post(path, body);
      expect(got).toBe(status);
      expectErrorShape(json);
      expect(json.error.message).toContain(fragment);
      expect(upstream.requests.length).toBe(before);
    });
  }

  test("a body over the limit -> 413", async () => {
    const big = JSON.stringify({ ...valid, messages: [{ role: "user", content: "x".repeat(10_000) }] });
    const { status, json } = await post("/api/openai/chat/completions", big);
    expect(status).toBe(413);
    expectErrorShape(json);
    expect(json.error.message).toContain("4096 bytes");
  });

  test("a provider id with an encoded slash never reaches an upstream", async () => {
    const before = upstream.requests.length;
    const response = await fetch(`${gateway.url}/api/open%2Fai/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(valid),
    });
    expect(response.status).toBe(404);
    expectErrorShape(await response.json());
    expect(upstream.requests.length).toBe(before);
  });

  test("an unknown URL is a 404 in the same error shape", async () => {
    const response = await fetch(`${gateway.url}/v2/anything`);
    expect(response.status).toBe(404);
    expectErrorShape(await response.json());
  });

  test("the server still answers after all of that", async () => {
    const response = await fetch(`${gateway.url}/health`);
    expect(response.status).toBe(200);
    expect((await response.json()).status).toBe("ok");
  });
});

describe("status endpoints", () => {
  test("GET / lists providers and rotations without keys", async () => {
    const response = await fetch(`${gateway.url}/`);
    const text = await response.text();
    expect(text).not.toContain("sk-test-canary-key-0001");
    const body = JSON.parse(text);
    expect(body.version).toBe("0.0.0-test");
    expect(body.providers[0]).toMatchObject({ id: "openai", type: "openai", key_configured: true });
  });
});
