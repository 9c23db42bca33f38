// A PDF document block over /v1/messages: sent in each provider's own form where the target reads documents
// (OpenAI's file part, Gemini's inlineData), targets that do not (Ollama) skipped in a rotation, and a 400 in
// Anthropic's shape naming the field and the targets when no target can take it.
import { afterAll, beforeEach, describe, expect, test } from "bun:test";
import type { ProviderConfig } from "../src/config/schema.ts";
import { fixtureText, jsonResponse, type MockUpstream, startMock } from "../src/providers/testing.ts";
import { openaiProvider, startGateway, type TestGateway } from "./helpers/gateway.ts";

type Json = Record<string, unknown>;

/** "%PDF-1.4" and a little more, as base64: bytes a client would send, never read by a mock. */
const PDF = "JVBERi0xLjQKJcOkw7zDtsOfCjIgMCBvYmoKPDwvTGVuZ3RoIDMgMCBSPj4Kc3RyZWFtCg==";

const openai: MockUpstream = startMock(() =>
  jsonResponse(fixtureText("openai", "chat-completions-text.json")),
);
const google: MockUpstream = startMock(() =>
  jsonResponse(fixtureText("google", "generate-content-text.json")),
);
const ollama: MockUpstream = startMock(() => jsonResponse({ error: "never asked" }, 500));

const ollamaProvider = (id: string): ProviderConfig => ({
  id,
  name: id,
  type: "ollama",
  endpoint: ollama.url,
  api_key_required: false,
  models: [{ name: "llama3.2" }],
});

const gateway: TestGateway = startGateway({
  providers: {
    openai: openaiProvider("openai", openai.url, { models: [{ name: "gpt-4.1-mini" }] }),
    // An OpenAI-compatible server without file parts, said so in its config.
    plain: openaiProvider("plain", openai.url, { models: [{ name: "m" }], supports_documents: false }),
    google: {
      id: "google",
      name: "Gemini",
      type: "google",
      endpoint: google.url,
      api_key_required: true,
      api_key: "AIzaSy-test-canary-0001",
      models: [{ name: "gemini-2.5-flash" }],
    },
    ollama: ollamaProvider("ollama"),
    ollama2: ollamaProvider("ollama2"),
  },
  rotations: {
    // Ollama first: a PDF request must pass it by and be answered by OpenAI.
    mixed: {
      strategy: "priority",
      providers: [
        { provider_id: "ollama", models: [{ name: "llama3.2", weight: 1 }] },
        { provider_id: "openai", models: [{ name: "gpt-4.1-mini", weight: 1 }] },
      ],
    },
    local: {
      strategy: "priority",
      providers: [
        { provider_id: "ollama", models: [{ name: "llama3.2", weight: 1 }] },
        { provider_id: "ollama2", models: [{ name: "llama3.2", weight: 1 }] },
      ],
    },
  },
});

afterAll(async () => {
  await gateway.stop();
  await Promise.all([openai.stop(), google.stop(), ollama.stop()]);
});

beforeEach(() => {
  for (const mock of [openai, google, ollama]) mock.requests.length = 0;
});

const pdfBlock = { type: "document", source: { type: "base64", media_type: "application/pdf", data: PDF } };

function withPdf(model: string): Json {
  return {
    model,
    max_tokens: 256,
    messages: [
      { role: "user", content: "First" },
      { role: "assistant", content: "Go on" },
      { role: "user", content: [{ type: "text", text: "Summarise this" }, pdfBlock] },
    ],
  };
}

function post(body: unknown): Promise<Response> {
  return fetch(`${gateway.url}/v1/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
    body: JSON.stringify(body),
  });
}

describe("a PDF document block", () => {
  test("OpenAI gets a file part: the bytes as a data: URL, with the filename OpenAI requires", async () => {
    const response = await post(withPdf("openai/gpt-4.1-mini"));
    expect(response.status).toBe(200);
    const messages = (openai.requests[0]?.body as Json).messages as Json[];
    expect(messages.at(-1)).toEqual({
      role: "user",
      content: [
        { type: "text", text: "Summarise this" },
        { type: "file", file: { filename: "document.pdf", file_data: `data:application/pdf;base64,${PDF}` } },
      ],
    });
  });

  test("Gemini gets the bytes as inlineData of type application/pdf", async () => {
    const response = await post(withPdf("google/gemini-2.5-flash"));
    expect(response.status).toBe(200);
    const contents = (google.requests[0]?.body as Json).contents as Json[];
    expect(contents.at(-1)).toEqual({
      role: "user",
      parts: [{ text: "Summarise this" }, { inlineData: { mimeType: "application/pdf", data: PDF } }],
    });
  });

  test("in a rotation, a target that reads no documents is passed by and the next one answers", async () => {
    const response = await post(withPdf("mixed"));
    expect(response.status).toBe(200);
    expect(response.headers.get("x-aisbf-provider")).toBe("openai");
    expect(response.headers.get("x-aisbf-attempts")).toBe("1");
    expect(ollama.requests).toHaveLength(0);
    // Passed by for this request only: without a document the same rotation starts with Ollama again.
    const plainText = await post({ ...withPdf("mixed"), messages: [{ role: "user", content: "Hi" }] });
    await plainText.arrayBuffer();
    expect(ollama.requests).toHaveLength(1);
  });

  test("to Ollama: a 400 invalid_request_error naming the field and the target, and Ollama never asked", async () => {
    const response = await post(withPdf("ollama/llama3.2"));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      type: "error",
      error: {
        type: "invalid_request_error",
        message:
          "messages[2].content[1]: a PDF document, which ollama/llama3.2 cannot take (its provider reads no documents); send it to a provider that reads PDFs, or without the document",
      },
    });
    expect(ollama.requests).toHaveLength(0);
  });

  test("a rotation where no target reads documents: a 400 listing every target", async () => {
    const response = await post(withPdf("local"));
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe("invalid_request_error");
    expect(body.error.message).toStartWith(
      "messages[2].content[1]: a PDF document, which no target of 'local' can take (ollama/llama3.2, ollama2/llama3.2 read no documents)",
    );
    expect(response.headers.get("retry-after")).toBeNull();
  });

  test("supports_documents: false on an OpenAI-compatible provider: the same 400; a PDF in a tool result counts too", async () => {
    const inToolResult = {
      model: "plain/m",
      max_tokens: 256,
      messages: [
        { role: "user", content: "Read it" },
        { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "Read", input: {} }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: [pdfBlock] }] },
      ],
    };
    const response = await post(inToolResult);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { message: string } };
    expect(body.error.message).toStartWith(
      "messages[2].content[0].content[0]: a PDF document, which plain/m cannot",
    );
    expect(openai.requests).toHaveLength(0);
  });

  test("a PDF a tool returned reaches OpenAI in a user message after the tool message", async () => {
    const response = await post({
      model: "openai/gpt-4.1-mini",
      max_tokens: 256,
      messages: [
        { role: "user", content: "Read it" },
        { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "Read", input: {} }] },
        {
          role: "user",
          content: [
            {
              type: "tool_result",
              tool_use_id: "toolu_1",
              content: [{ type: "text", text: "1 page" }, pdfBlock],
            },
          ],
        },
      ],
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-aisbf-warnings")).toContain(
      "sent in a user message after the tool message",
    );
    const messages = (openai.requests[0]?.body as Json).messages as Json[];
    expect(messages.slice(-2)).toEqual([
      { role: "tool", tool_call_id: "toolu_1", content: "1 page" },
      {
        role: "user",
        content: [
          {
            type: "file",
            file: { filename: "document.pdf", file_data: `data:application/pdf;base64,${PDF}` },
          },
        ],
      },
    ]);
  });
});
