// OpenAI-compatible answers as canonical: the recorded ones whole, and what compatible servers get wrong, leniently.
import { expect, test } from "bun:test";
import { fixtureText } from "../testing.ts";
import { toCanonicalResponse } from "./response.ts";

test("a recorded answer with parallel tool calls: every call, the stop reason and usage", () => {
  const answer = JSON.parse(fixtureText("openai", "chat-completions-parallel-tool-calls.json"));
  const response = toCanonicalResponse("openai", answer);
  const calls = answer.choices[0].message.tool_calls as Array<{
    id: string;
    function: { name: string; arguments: string };
  }>;
  expect(response.content).toEqual(
    calls.map((call) => ({
      type: "tool_call",
      id: call.id,
      name: call.function.name,
      arguments: call.function.arguments,
    })),
  );
  expect(response.stopReason).toBe("tool_use");
  expect(response.usage).toMatchObject({
    inputTokens: answer.usage.prompt_tokens,
    outputTokens: answer.usage.completion_tokens,
  });
});

test("one malformed tool call is dropped on its own; usage without total_tokens is still usage", () => {
  const response = toCanonicalResponse("p", {
    id: "x",
    choices: [
      {
        finish_reason: "tool_calls",
        message: {
          content: null,
          tool_calls: [
            { id: "call_1", type: "function", function: { name: "a", arguments: "{}" } },
            { type: "function", function: { name: "b", arguments: "{}" } },
          ],
        },
      },
    ],
    usage: { prompt_tokens: 3, completion_tokens: 4 },
  });
  expect(response.content).toEqual([{ type: "tool_call", id: "call_1", name: "a", arguments: "{}" }]);
  expect(response.usage).toEqual({ inputTokens: 3, outputTokens: 4 });
});
