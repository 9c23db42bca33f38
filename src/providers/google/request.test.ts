// The canonical request -> the Gemini generateContent body's generation config, and the warnings for what Gemini
// cannot take. Turns are in messages.test.ts, tools in tools.test.ts.
import { describe, expect, test } from "bun:test";
import type { CanonicalRequest } from "../../canonical/request.ts";
import { translate, translateCanonical } from "./request-testing.ts";

describe("generation config", () => {
  test("sampling fields, stop, max tokens, JSON schema output", () => {
    const { native, warnings } = translate({
      messages: [{ role: "user", content: "x" }],
      max_tokens: 50,
      max_completion_tokens: 100,
      temperature: 0.2,
      top_p: 0.9,
      seed: 7,
      presence_penalty: 0.5,
      frequency_penalty: 0.25,
      stop: ["a", "b", "c", "d", "e", "f"],
      response_format: {
        type: "json_schema",
        json_schema: { name: "answer", schema: { type: "object", properties: { n: { type: "integer" } } } },
      },
    });
    expect(native.generationConfig).toEqual({
      maxOutputTokens: 100,
      temperature: 0.2,
      topP: 0.9,
      seed: 7,
      presencePenalty: 0.5,
      frequencyPenalty: 0.25,
      stopSequences: ["a", "b", "c", "d", "e"],
      responseMimeType: "application/json",
      responseJsonSchema: { type: "object", properties: { n: { type: "integer" } } },
    });
    expect(warnings).toEqual(["Gemini takes at most 5 stop sequences; the rest were dropped."]);
  });

  test("a false flag asks for nothing, as for the other providers: no warning names it", () => {
    const { warnings } = translate({
      messages: [{ role: "user", content: "x" }],
      logprobs: false,
      store: false,
    });
    expect(warnings).toEqual([]);
  });

  test("json_object, reasoning_effort, and dropped fields are named in warnings", () => {
    const { native, warnings } = translate({
      messages: [{ role: "user", content: "x" }],
      stop: "END",
      response_format: { type: "json_object" },
      reasoning_effort: "medium",
      n: 2,
      user: "u-1",
      logprobs: true,
      metadata: { a: "b" },
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(native.generationConfig).toEqual({
      stopSequences: ["END"],
      responseMimeType: "application/json",
      thinkingConfig: { includeThoughts: true, thinkingBudget: 8192 },
    });
    expect(warnings).toEqual([
      "n > 1 is not supported by the Gemini translation; one choice is returned.",
      "'user' has no Gemini equivalent and was dropped.",
      "'metadata' has no Gemini equivalent and was dropped.",
      "Not supported by Gemini and dropped: logprobs.",
    ]);
    expect(
      translate({ messages: [{ role: "user", content: "x" }], reasoning_effort: "none" }).native
        .generationConfig,
    ).toEqual({
      thinkingConfig: { thinkingBudget: 0 },
    });
  });

  test("top_k is Gemini's topK; Anthropic-style thinking budgets and switches map to thinkingBudget", () => {
    const x = [{ role: "user", content: "x" }];
    expect(translate({ messages: x, top_k: 40 }).native.generationConfig).toEqual({ topK: 40 });
    const thinking = (reasoning: CanonicalRequest["reasoning"]) =>
      translateCanonical({ reasoning }, []).native.generationConfig.thinkingConfig;
    expect(thinking({ budgetTokens: 2048 })).toEqual({ includeThoughts: true, thinkingBudget: 2048 });
    expect(thinking({ adaptive: true })).toEqual({ includeThoughts: true, thinkingBudget: -1 });
    expect(thinking({ disabled: true })).toEqual({ thinkingBudget: 0 });
    const { warnings } = translateCanonical({ reasoning: { effort: "xhigh" } }, []);
    expect(warnings).toEqual(["reasoning_effort 'xhigh' has no Gemini equivalent and was dropped."]);
  });

  test("what Gemini cannot take is a warning: hosted tools, cache hints, a prompt cache key, the dialect's notes", () => {
    const { native, warnings } = translateCanonical(
      {
        system: [{ type: "text", text: "Long preamble", cache: {} }],
        hostedTools: [{ kind: "web_search", name: "web_search", config: { max_uses: 3 } }],
        promptCacheKey: "tenant-1",
        notes: ["a content part of type x was dropped"],
      },
      [{ role: "user", content: [{ type: "text", text: "Search it" }] }],
    );
    expect(native.systemInstruction).toEqual({ parts: [{ text: "Long preamble" }] });
    expect(native.tools).toBeUndefined();
    expect(warnings).toEqual([
      "a content part of type x was dropped",
      "Hosted tool 'web_search' is not supported by the Gemini translation and was dropped.",
      "A prompt cache key has no Gemini equivalent and was dropped.",
      "Prompt cache hints have no Gemini equivalent and were dropped.",
    ]);
  });
});
