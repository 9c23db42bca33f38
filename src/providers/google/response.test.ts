// Replays every recorded generateContent body through the response translator, field by field.
import { describe, expect, test } from "bun:test";
import { GatewayError } from "../../api/errors.ts";
import { toChatCompletion as translateAnswer } from "./response.ts";
import { geminiResponseSchema } from "./wire.ts";
import { counterIds, fixtureJson } from "../testing.ts";
import { geminiIdFromToolCallId, signatureFromToolCallId } from "./tool-ids.ts";

const NOW = 1_754_000_000_999;

/** The wire JSON as the adapter reads it: checked by the wire schema, then translated. */
function toChatCompletion(raw: unknown, context: Parameters<typeof translateAnswer>[1]) {
  return translateAnswer(geminiResponseSchema.parse(raw), context);
}

function translateWithWarnings(raw: unknown) {
  return toChatCompletion(raw, {
    providerId: "google",
    model: "asked",
    clock: () => NOW,
    newId: counterIds(),
  });
}

function translate(name: string) {
  return translateWithWarnings(fixtureJson("google", name)).completion;
}

describe("recorded responses", () => {
  test("a complete recorded answer carries no warnings", () => {
    expect(translateWithWarnings(fixtureJson("google", "generate-content-text.json")).warnings).toEqual([]);
    expect(translateWithWarnings(fixtureJson("google", "generate-content-max-tokens.json")).warnings).toEqual(
      [],
    );
  });

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
    const { completion } = toChatCompletion(
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
    const { completion } = toChatCompletion(
      { promptFeedback: { blockReason: "PROHIBITED_CONTENT" } },
      { providerId: "google", model: "asked", clock: () => NOW, newId: counterIds() },
    );
    expect(completion.choices[0]?.finish_reason).toBe("content_filter");
    expect(completion.choices[0]?.message.content).toBeNull();
  });

  test("a body that is not a response does not pass the wire schema (readAnswer: bad_response)", () => {
    expect(geminiResponseSchema.safeParse([1, 2]).success).toBe(false);
  });
});

/** One candidate with the given parts and finish fields. */
function answer(parts: unknown[], finishReason: string, finishMessage?: string) {
  return { candidates: [{ content: { role: "model", parts }, finishReason, finishMessage }] };
}

function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

describe("finish reasons", () => {
  test("CONTINUATION is a truncation: finish_reason length, with a warning", () => {
    const { completion, warnings } = translateWithWarnings(
      answer([{ text: "The first half" }], "CONTINUATION"),
    );
    expect(completion.choices[0]?.finish_reason).toBe("length");
    expect(completion.choices[0]?.message.content).toBe("The first half");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("CONTINUATION");
  });

  test("MALFORMED_FUNCTION_CALL with nothing usable: a retryable bad_response naming finishMessage", () => {
    const error = thrownBy(() =>
      translateWithWarnings(
        answer([], "MALFORMED_FUNCTION_CALL", "Malformed function call: print(default_api.weather("),
      ),
    );
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({
      status: 502,
      type: "api_error",
      code: "malformed_function_call",
      kind: "bad_response",
    });
    expect((error as Error).message).toContain("MALFORMED_FUNCTION_CALL");
    expect((error as Error).message).toContain("Malformed function call: print(default_api.weather(");
  });

  test("UNEXPECTED_TOOL_CALL with no content (no parts at all) -> unexpected_tool_call", () => {
    const error = thrownBy(() =>
      translateWithWarnings({ candidates: [{ finishReason: "UNEXPECTED_TOOL_CALL" }] }),
    );
    expect(error).toMatchObject({ status: 502, code: "unexpected_tool_call", kind: "bad_response" });
  });

  test("OTHER, FINISH_REASON_UNSPECIFIED, NO_IMAGE, IMAGE_OTHER with only thoughts -> no_content", () => {
    for (const reason of ["OTHER", "FINISH_REASON_UNSPECIFIED", "NO_IMAGE", "IMAGE_OTHER"]) {
      const error = thrownBy(() =>
        translateWithWarnings(answer([{ text: "Let me think", thought: true }], reason)),
      );
      expect(error).toMatchObject({ status: 502, code: "no_content", kind: "bad_response" });
      expect((error as Error).message).toContain(reason);
    }
  });

  test("a failure reason after usable content keeps the content: stop (or tool_calls), with a warning", () => {
    const text = translateWithWarnings(answer([{ text: "Partial answer" }], "OTHER", "Something went wrong"));
    expect(text.completion.choices[0]?.finish_reason).toBe("stop");
    expect(text.completion.choices[0]?.message.content).toBe("Partial answer");
    expect(text.warnings).toHaveLength(1);
    expect(text.warnings[0]).toContain("OTHER (Something went wrong)");

    const call = translateWithWarnings(
      answer([{ functionCall: { name: "weather", args: {} } }], "MALFORMED_FUNCTION_CALL"),
    );
    expect(call.completion.choices[0]?.finish_reason).toBe("tool_calls");
    expect(call.warnings[0]).toContain("MALFORMED_FUNCTION_CALL");
  });
});

describe("Gemini call ids", () => {
  test("functionCall.id becomes the base of the tool call id, next to the signature; without one, ours", () => {
    const { completion } = translateWithWarnings(
      answer(
        [
          {
            functionCall: { id: "a1b2c3", name: "weather", args: { location: "Paris" } },
            thoughtSignature: "c2ln",
          },
          { functionCall: { name: "weather", args: { location: "Rome" } } },
        ],
        "STOP",
      ),
    );
    const [first, second] = completion.choices[0]?.message.tool_calls ?? [];
    expect(first?.id).toMatch(/^gcall_[A-Za-z0-9_-]+__gts_[A-Za-z0-9_-]+$/);
    expect(geminiIdFromToolCallId(first?.id ?? "")).toBe("a1b2c3");
    expect(signatureFromToolCallId(first?.id ?? "")).toBe("c2ln");
    expect(second?.id).toBe("call_1");
    expect(geminiIdFromToolCallId(second?.id ?? "")).toBeUndefined();
  });
});
