// Replays every recorded generateContent body through the response translator: the canonical answer, field by field,
// its expected values read from the recording.
import { describe, expect, test } from "bun:test";
import { GatewayError } from "../../api/errors.ts";
import { renderCompletion } from "../../api/openai-chat/render.ts";
import { counterIds, fixtureJson } from "../testing.ts";
import { toCanonicalResponse } from "./response.ts";
import { encodeToolCallId, geminiIdFromToolCallId, signatureFromToolCallId } from "./tool-ids.ts";
import { type GeminiResponse, geminiResponseSchema } from "./wire.ts";

const NOW = 1_754_000_000_999;
const CREATED = Math.floor(NOW / 1000);

/** The wire JSON as the adapter reads it: checked by the wire schema, then translated. */
function translateWithWarnings(raw: unknown) {
  return toCanonicalResponse(geminiResponseSchema.parse(raw), {
    providerId: "google",
    model: "asked",
    clock: () => NOW,
    newId: counterIds(),
  });
}

function translate(raw: unknown) {
  return translateWithWarnings(raw).response;
}

/** A recording, read through the wire schema only to have its fields typed. */
function recorded(name: string): GeminiResponse {
  return geminiResponseSchema.parse(fixtureJson("google", name));
}

function firstPart(answer: GeminiResponse) {
  const part = answer.candidates?.[0]?.content?.parts?.[0];
  if (!part) throw new Error("the recording has no part");
  return part;
}

describe("recorded responses", () => {
  test("a complete recorded answer carries no warnings", () => {
    expect(translateWithWarnings(fixtureJson("google", "generate-content-text.json")).warnings).toEqual([]);
    expect(translateWithWarnings(fixtureJson("google", "generate-content-max-tokens.json")).warnings).toEqual(
      [],
    );
  });

  test("generate-content-text.json: Gemini's own id, the text, end_turn, thoughts counted as output", () => {
    const answer = recorded("generate-content-text.json");
    const usage = answer.usageMetadata;
    expect(translate(fixtureJson("google", "generate-content-text.json"))).toEqual({
      id: answer.responseId ?? "",
      model: answer.modelVersion ?? "",
      created: CREATED,
      content: [{ type: "text", text: firstPart(answer).text ?? "" }],
      stopReason: "end_turn",
      usage: {
        inputTokens: usage?.promptTokenCount ?? 0,
        outputTokens: (usage?.candidatesTokenCount ?? 0) + (usage?.thoughtsTokenCount ?? 0),
        reasoningTokens: usage?.thoughtsTokenCount ?? 0,
      },
    });
  });

  test("generate-content-text-thinking.json: the answer text; its text-part signature is not a block", () => {
    const answer = recorded("generate-content-text-thinking.json");
    const part = firstPart(answer);
    expect(part.thoughtSignature).toBeString();
    const response = translate(fixtureJson("google", "generate-content-text-thinking.json"));
    expect(response.id).toBe(answer.responseId ?? "");
    expect(response.model).toBe(answer.modelVersion ?? "");
    expect(response.content).toEqual([{ type: "text", text: part.text ?? "" }]);
    expect(response.stopReason).toBe("end_turn");
    const usage = answer.usageMetadata;
    expect(response.usage).toEqual({
      inputTokens: usage?.promptTokenCount ?? 0,
      outputTokens: (usage?.candidatesTokenCount ?? 0) + (usage?.thoughtsTokenCount ?? 0),
      reasoningTokens: usage?.thoughtsTokenCount ?? 0,
    });
  });

  test("generate-content-function-call.json: tool_use, the signature on the block and in the id", () => {
    const answer = recorded("generate-content-function-call.json");
    const part = firstPart(answer);
    const signature = part.thoughtSignature ?? "";
    expect(signature).not.toBe("");
    const response = translate(fixtureJson("google", "generate-content-function-call.json"));
    expect(response.content).toEqual([
      {
        type: "tool_call",
        id: encodeToolCallId("call_1", signature),
        name: part.functionCall?.name ?? "",
        arguments: JSON.stringify(part.functionCall?.args),
        signature,
      },
    ]);
    expect(
      signatureFromToolCallId(response.content[0]?.type === "tool_call" ? response.content[0].id : ""),
    ).toBe(signature);
    expect(response.stopReason).toBe("tool_use");
    const usage = answer.usageMetadata;
    expect(response.usage).toEqual({
      inputTokens: usage?.promptTokenCount ?? 0,
      outputTokens: (usage?.candidatesTokenCount ?? 0) + (usage?.thoughtsTokenCount ?? 0),
      reasoningTokens: usage?.thoughtsTokenCount ?? 0,
    });
  });

  test("generate-content-max-tokens.json: MAX_TOKENS -> max_tokens; no thoughts, no reasoning count", () => {
    const answer = recorded("generate-content-max-tokens.json");
    const response = translate(fixtureJson("google", "generate-content-max-tokens.json"));
    expect(response.content).toEqual([{ type: "text", text: firstPart(answer).text ?? "" }]);
    expect(response.stopReason).toBe("max_tokens");
    expect(response.usage).toEqual({
      inputTokens: answer.usageMetadata?.promptTokenCount ?? 0,
      outputTokens: answer.usageMetadata?.candidatesTokenCount ?? 0,
    });
  });

  test("generate-content-safety-blocked.json: no content, SAFETY -> content_filter", () => {
    const answer = recorded("generate-content-safety-blocked.json");
    const response = translate(fixtureJson("google", "generate-content-safety-blocked.json"));
    expect(response.model).toBe(answer.modelVersion ?? "");
    expect(response.content).toEqual([]);
    expect(response.stopReason).toBe("content_filter");
    expect(response.usage).toEqual({
      inputTokens: answer.usageMetadata?.promptTokenCount ?? 0,
      outputTokens: 0,
    });
  });
});

describe("other shapes", () => {
  test("thought parts are one thinking block of origin google, before the text; cached tokens are cache reads", () => {
    const response = translate({
      candidates: [
        {
          content: {
            role: "model",
            parts: [{ text: "Thinking", thought: true }, { text: "...", thought: true }, { text: "Answer" }],
          },
          finishReason: "STOP",
        },
      ],
      usageMetadata: {
        promptTokenCount: 100,
        candidatesTokenCount: 2,
        cachedContentTokenCount: 64,
        thoughtsTokenCount: 3,
        toolUsePromptTokenCount: 5,
      },
    });
    expect(response.id).toBe("chatcmpl-1");
    expect(response.model).toBe("asked");
    expect(response.content).toEqual([
      { type: "thinking", text: "Thinking...", origin: "google" },
      { type: "text", text: "Answer" },
    ]);
    expect(response.usage).toEqual({
      inputTokens: 105,
      outputTokens: 5,
      cacheReadTokens: 64,
      reasoningTokens: 3,
    });
  });

  test("a signed thought part ends its thinking block; the signature is kept on it", () => {
    const response = translate({
      candidates: [
        {
          content: {
            role: "model",
            parts: [
              { text: "First", thought: true, thoughtSignature: "c2lnMQ==" },
              { text: "Second", thought: true },
              { text: "", thought: true, thoughtSignature: "c2lnMg==" },
              { text: "Done" },
            ],
          },
          finishReason: "STOP",
        },
      ],
    });
    expect(response.content).toEqual([
      { type: "thinking", text: "First", origin: "google", signature: "c2lnMQ==" },
      { type: "thinking", text: "Second", origin: "google", signature: "c2lnMg==" },
      { type: "text", text: "Done" },
    ]);
    // An answer without usageMetadata has no usage: none is made up.
    expect(response.usage).toBeUndefined();
  });

  test("a blocked prompt -> content_filter", () => {
    const response = translate({ promptFeedback: { blockReason: "PROHIBITED_CONTENT" } });
    expect(response.stopReason).toBe("content_filter");
    expect(response.content).toEqual([]);
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

describe("stop reasons", () => {
  test("each FinishReason Gemini documents as a filter -> content_filter (OpenAI shows it as such too)", () => {
    for (const reason of [
      "SAFETY",
      "RECITATION",
      "BLOCKLIST",
      "PROHIBITED_CONTENT",
      "SPII",
      "IMAGE_SAFETY",
    ]) {
      const response = translate(answer([{ text: "x" }], reason));
      expect(response.stopReason).toBe("content_filter");
      expect(renderCompletion(response, counterIds()).choices[0]?.finish_reason).toBe("content_filter");
    }
  });

  test("CONTINUATION is a truncation: max_tokens, with a warning", () => {
    const { response, warnings } = translateWithWarnings(
      answer([{ text: "The first half" }], "CONTINUATION"),
    );
    expect(response.stopReason).toBe("max_tokens");
    expect(response.content).toEqual([{ type: "text", text: "The first half" }]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("CONTINUATION");
  });

  test("MALFORMED_FUNCTION_CALL with nothing usable: a retryable bad_response naming finishMessage", () => {
    const error = thrownBy(() =>
      translate(answer([], "MALFORMED_FUNCTION_CALL", "Malformed function call: print(default_api.weather(")),
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
    const error = thrownBy(() => translate({ candidates: [{ finishReason: "UNEXPECTED_TOOL_CALL" }] }));
    expect(error).toMatchObject({ status: 502, code: "unexpected_tool_call", kind: "bad_response" });
  });

  test("OTHER, FINISH_REASON_UNSPECIFIED, NO_IMAGE, IMAGE_OTHER with only thoughts -> no_content", () => {
    for (const reason of ["OTHER", "FINISH_REASON_UNSPECIFIED", "NO_IMAGE", "IMAGE_OTHER"]) {
      const error = thrownBy(() => translate(answer([{ text: "Let me think", thought: true }], reason)));
      expect(error).toMatchObject({ status: 502, code: "no_content", kind: "bad_response" });
      expect((error as Error).message).toContain(reason);
    }
  });

  test("a failure reason after usable content keeps the content: end_turn (or tool_use), with a warning", () => {
    const text = translateWithWarnings(answer([{ text: "Partial answer" }], "OTHER", "Something went wrong"));
    expect(text.response.stopReason).toBe("end_turn");
    expect(text.response.content).toEqual([{ type: "text", text: "Partial answer" }]);
    expect(text.warnings).toHaveLength(1);
    expect(text.warnings[0]).toContain("OTHER (Something went wrong)");

    const call = translateWithWarnings(
      answer([{ functionCall: { name: "weather", args: {} } }], "MALFORMED_FUNCTION_CALL"),
    );
    expect(call.response.stopReason).toBe("tool_use");
    expect(call.warnings[0]).toContain("MALFORMED_FUNCTION_CALL");
  });
});

describe("Gemini call ids", () => {
  test("functionCall.id becomes the base of the tool call id, next to the signature; without one, ours", () => {
    const response = translate(
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
    const [first, second] = response.content;
    if (first?.type !== "tool_call" || second?.type !== "tool_call") throw new Error("expected two calls");
    expect(first.id).toMatch(/^gcall_[A-Za-z0-9_-]+__gts_[A-Za-z0-9_-]+$/);
    expect(geminiIdFromToolCallId(first.id)).toBe("a1b2c3");
    expect(signatureFromToolCallId(first.id)).toBe("c2ln");
    expect(first.signature).toBe("c2ln");
    expect(second).toEqual({
      type: "tool_call",
      id: "call_1",
      name: "weather",
      arguments: '{"location":"Rome"}',
    });
    expect(geminiIdFromToolCallId(second.id)).toBeUndefined();
  });
});
