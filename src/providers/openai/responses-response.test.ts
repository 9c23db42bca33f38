import { describe, expect, test } from "bun:test";
import { fixtureText } from "../testing.ts";
import { parseResponseObject, responseObjectToCanonical } from "./responses-response.ts";

describe("a recorded Responses answer, read as the canonical answer", () => {
  const object = parseResponseObject("openai", fixtureText("openai", "responses-reasoning.json"));
  const response = responseObjectToCanonical(object);

  test("reasoning keeps its encrypted content as the signature, the message its text", () => {
    const [reasoning, message] = response.content;
    expect(reasoning).toMatchObject({ type: "thinking", origin: "openai-responses" });
    expect(reasoning?.type === "thinking" && reasoning.signature?.startsWith("gAAAAAB")).toBe(true);
    expect(message).toEqual({
      type: "text",
      text: "12 + 7 = 19\n19 × 3 = 57\n57 × 10 = 570\n\nFinal result: 570",
    });
    expect(response.stopReason).toBe("end_turn");
  });

  test("usage counts reasoning and cached tokens", () => {
    expect(response.usage).toEqual({
      inputTokens: 865,
      outputTokens: 163,
      cacheReadTokens: 0,
      reasoningTokens: 128,
    });
  });

  test("a body that is not a response object fails the attempt over", () => {
    expect(() => parseResponseObject("openai", '{"choices": []}')).toThrow("not a response object");
  });
});
