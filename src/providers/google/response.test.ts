// Replays every recorded generateContent body through the response translator, field by field.
import { describe, expect, test } from "bun:test";
import { GatewayError } from "../../api/errors.ts";
import { toChatCompletion } from "./response.ts";
import { counterIds, fixtureJson } from "./test-fixtures.ts";
import { signatureFromToolCallId } from "./tool-ids.ts";

const NOW = 1_754_000_000_999;

function translate(name: string) {
  return toChatCompletion(fixtureJson(name), {
    providerId: "google",
    model: "asked",
    clock: () => NOW,
    newId: counterIds(),
  });
}

describe("recorded responses", () => {
  test("generate-content-text.json", () => {
    expect(translate("generate-content-text.json")).toEqual({
      id: "chatcmpl-bzlXaa_EE_aHqtsPi_zw8Ao",
      object: "chat.completion",
      created: 1_754_000_000,
      model: "gemini-2.5-flash",
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: "Hello! How can I help you today?" },
          finish_reason: "stop",
        },
      ],
      usage: {
        prompt_tokens: 9,
        completion_tokens: 43,
        total_tokens: 52,
        completion_tokens_details: { reasoning_tokens: 34 },
      },
    });
  });

  test("generate-content-text-thinking.json: text with a signature, thoughts in usage", () => {
    const completion = translate("generate-content-text-thinking.json");
    expect(completion.id).toBe("chatcmpl-Un6LacrVMcjUxs0PmJfWoQc");
    expect(completion.model).toBe("gemini-3-pro-preview");
    expect(completion.choices[0]?.message).toEqual({
      role: "assistant",
      content: "There are **3** r's in strawberry.\n\nHere is the breakdown: st**r**awbe**rr**y.",
    });
    expect(completion.choices[0]?.finish_reason).toBe("stop");
    expect(completion.usage).toEqual({
      prompt_tokens: 9,
      completion_tokens: 272,
      total_tokens: 281,
      completion_tokens_details: { reasoning_tokens: 244 },
    });
  });

  test("generate-content-function-call.json: STOP with a call -> tool_calls, signature kept in the id", () => {
    const completion = translate("generate-content-function-call.json");
    const message = completion.choices[0]?.message;
    expect(message?.content).toBeNull();
    expect(message?.tool_calls).toHaveLength(1);
    const call = message?.tool_calls?.[0];
    expect(call?.type).toBe("function");
    expect(call?.function).toEqual({ name: "weather", arguments: '{"location":"San Francisco"}' });
    expect(call?.id).toMatch(/^call_1__gts_[A-Za-z0-9_-]+$/);
    expect(signatureFromToolCallId(call?.id ?? "")).toBe(
      "EskgCsYgAb4+9vtF7/499YQS2bjZs3xcQI+iAl+ILn29nK1j0Kg6su7QsUUUk3nrAAfnS2w5WiVvlcCqu9fAebJ2cvfaEyBahEt5",
    );
    expect(completion.choices[0]?.finish_reason).toBe("tool_calls");
    expect(completion.usage).toEqual({
      prompt_tokens: 29,
      completion_tokens: 908,
      total_tokens: 937,
      completion_tokens_details: { reasoning_tokens: 893 },
    });
  });

  test("generate-content-max-tokens.json: MAX_TOKENS -> length", () => {
    const completion = translate("generate-content-max-tokens.json");
    expect(completion.choices[0]?.message.content).toBe("The capital of France is");
    expect(completion.choices[0]?.finish_reason).toBe("length");
    expect(completion.usage).toEqual({ prompt_tokens: 15, completion_tokens: 5, total_tokens: 20 });
  });

  test("generate-content-safety-blocked.json: empty content, SAFETY -> content_filter", () => {
    const completion = translate("generate-content-safety-blocked.json");
    expect(completion.model).toBe("gemini-1.5-flash");
    expect(completion.choices[0]?.message).toEqual({ role: "assistant", content: null });
    expect(completion.choices[0]?.finish_reason).toBe("content_filter");
    expect(completion.usage).toEqual({ prompt_tokens: 14, completion_tokens: 0, total_tokens: 14 });
  });
});

describe("other shapes", () => {
  test("thought parts go to reasoning_content; cached tokens are reported", () => {
    const completion = toChatCompletion(
      {
        candidates: [
          {
            content: { role: "model", parts: [{ text: "Thinking...", thought: true }, { text: "Answer" }] },
            finishReason: "STOP",
          },
        ],
        usageMetadata: {
          promptTokenCount: 100,
          candidatesTokenCount: 2,
          cachedContentTokenCount: 64,
          thoughtsTokenCount: 3,
        },
      },
      { providerId: "google", model: "asked", clock: () => NOW, newId: counterIds() },
    );
    expect(completion.id).toBe("chatcmpl-1");
    expect(completion.model).toBe("asked");
    expect(completion.choices[0]?.message).toEqual({
      role: "assistant",
      content: "Answer",
      reasoning_content: "Thinking...",
    });
    expect(completion.usage).toEqual({
      prompt_tokens: 100,
      completion_tokens: 5,
      total_tokens: 105,
      prompt_tokens_details: { cached_tokens: 64 },
      completion_tokens_details: { reasoning_tokens: 3 },
    });
  });

  test("a blocked prompt -> content_filter", () => {
    const completion = toChatCompletion(
      { promptFeedback: { blockReason: "PROHIBITED_CONTENT" } },
      { providerId: "google", model: "asked", clock: () => NOW, newId: counterIds() },
    );
    expect(completion.choices[0]?.finish_reason).toBe("content_filter");
    expect(completion.choices[0]?.message.content).toBeNull();
  });

  test("a body that is not a response is a bad_response error", () => {
    expect(() =>
      toChatCompletion([1, 2], {
        providerId: "google",
        model: "asked",
        clock: () => NOW,
        newId: counterIds(),
      }),
    ).toThrow(GatewayError);
  });
});
