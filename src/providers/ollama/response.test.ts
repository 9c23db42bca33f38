// Replays the recorded non-streamed Ollama answers through the response translator, field by field.
import { describe, expect, test } from "bun:test";
import { counterIds as counter, fixtureJson, fixtureText } from "../testing.ts";
import { finishReasonFor, toChatCompletion, usageFrom } from "./response.ts";
import { ollamaChatResponseSchema } from "./wire.ts";

const load = (name: string): unknown => fixtureJson("ollama", name);

const context = { id: "chatcmpl-1", created: 1_772_581_484, model: "fallback", newId: counter() };

describe("chat-tool-call-cloud-httprr.json (gpt-oss:120b on Ollama Cloud)", () => {
  const native = ollamaChatResponseSchema.parse(load("chat-tool-call-cloud-httprr.json"));

  test("becomes one chat.completion with the tool call, thinking and usage", () => {
    const completion = toChatCompletion(native, { ...context, newId: counter() });
    expect(completion.id).toBe("chatcmpl-1");
    expect(completion.object).toBe("chat.completion");
    expect(completion.created).toBe(1_772_581_484);
    expect(completion.model).toBe("gpt-oss:120b");
    expect(completion.choices).toHaveLength(1);
    const choice = completion.choices[0];
    expect(choice?.index).toBe(0);
    // done_reason is "stop" on the wire; a tool call makes it tool_calls for OpenAI clients.
    expect(choice?.finish_reason).toBe("tool_calls");
    expect(choice?.message.role).toBe("assistant");
    expect(choice?.message.content).toBeNull();
    expect(choice?.message.reasoning_content).toBe(
      "User asks about weather in San Francisco. Use function getWeather.",
    );
    expect(choice?.message.tool_calls).toEqual([
      {
        id: "call_mo1wm122",
        type: "function",
        function: { name: "getWeather", arguments: '{"location":"San Francisco, CA"}' },
      },
    ]);
    expect(JSON.parse(choice?.message.tool_calls?.[0]?.function.arguments ?? "")).toEqual({
      location: "San Francisco, CA",
    });
    expect(completion.usage).toEqual({ prompt_tokens: 145, completion_tokens: 44, total_tokens: 189 });
  });

  test("a call without an id (older servers, docs/api.md example) gets a generated one", () => {
    const withoutId = ollamaChatResponseSchema.parse({
      ...native,
      message: {
        ...native.message,
        tool_calls: [{ function: { name: "getWeather", arguments: { location: "Paris" } } }],
      },
    });
    const completion = toChatCompletion(withoutId, { ...context, newId: counter() });
    expect(completion.choices[0]?.message.tool_calls?.[0]?.id).toBe("call_1");
  });
});

describe("the done line of chat-stream-httprr.ndjson read as a whole answer", () => {
  const lines = fixtureText("ollama", "chat-stream-httprr.ndjson")
    .trim()
    .split("\n")
    .map((line) => ollamaChatResponseSchema.parse(JSON.parse(line)));

  test("text, stop and counts", () => {
    const last = lines.at(-1);
    if (!last) throw new Error("fixture is empty");
    const whole = {
      ...last,
      message: { content: lines.map((line) => line.message?.content ?? "").join("") },
    };
    const completion = toChatCompletion(whole, context);
    expect(completion.choices[0]?.message).toEqual({
      role: "assistant",
      content: "Okay, here we go!\n\n1, 2, 3, 4, 5\n",
    });
    expect(completion.choices[0]?.finish_reason).toBe("stop");
    expect(completion.usage).toEqual({ prompt_tokens: 16, completion_tokens: 22, total_tokens: 38 });
  });
});

describe("finishReasonFor / usageFrom", () => {
  test.each([
    ["stop", false, "stop"],
    ["stop", true, "tool_calls"],
    ["length", false, "length"],
    ["length", true, "length"],
    ["load", false, "stop"],
    [undefined, false, "stop"],
  ] as const)("done_reason %p with tool calls %p -> %p", (reason, calls, expected) => {
    expect(finishReasonFor(reason, calls)).toBe(expected);
  });

  test("missing counts are zero", () => {
    expect(usageFrom({})).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
  });
});
