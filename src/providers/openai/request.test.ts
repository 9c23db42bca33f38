// The OpenAI request: fields pass through; long tool call ids (Gemini's) are shortened, pairs kept.
import { expect, test } from "bun:test";
import type { ChatRequest } from "../../api/chat.ts";
import { MAX_TOOL_CALL_ID, shortToolCallId, toOpenAIRequest } from "./request.ts";

const longId = `gcall_${"A".repeat(300)}__gts_${"b".repeat(500)}`;

test("every field passes through; only the model changes", () => {
  const request = {
    model: "openai/gpt",
    messages: [{ role: "user", content: "hi" }],
    seed: 3,
  } as ChatRequest;
  const { native: body, warnings } = toOpenAIRequest({ request, model: "gpt" });
  expect(warnings).toEqual([]);
  expect(body).toEqual({ model: "gpt", messages: request.messages, seed: 3 });
  expect(body.messages).toBe(request.messages);
});

test("long tool call ids are shortened the same way on the call and on its result", () => {
  const request = {
    model: "m",
    messages: [
      { role: "user", content: "weather?" },
      {
        role: "assistant",
        content: null,
        tool_calls: [
          { id: longId, type: "function", function: { name: "w", arguments: "{}" } },
          { id: "call_short", type: "function", function: { name: "w", arguments: "{}" } },
        ],
      },
      { role: "tool", tool_call_id: longId, content: "sunny" },
      { role: "tool", tool_call_id: "call_short", content: "rain" },
    ],
  } as ChatRequest;
  const body = toOpenAIRequest({ request, model: "m" }).native as {
    messages: Array<Record<string, unknown>>;
  };
  const calls = body.messages[1]?.tool_calls as Array<{ id: string }>;
  expect(calls[0]?.id.length).toBeLessThanOrEqual(MAX_TOOL_CALL_ID);
  expect(calls[0]?.id).toBe(shortToolCallId(longId));
  expect(body.messages[2]?.tool_call_id).toBe(calls[0]?.id);
  expect(calls[1]?.id).toBe("call_short");
  expect(body.messages[3]?.tool_call_id).toBe("call_short");
  expect(shortToolCallId(`${longId}x`)).not.toBe(shortToolCallId(longId));
});

test("a prefill is appended as a final assistant message", () => {
  const request = { model: "m", messages: [{ role: "user", content: "hi" }] } as ChatRequest;
  const body = toOpenAIRequest({ request, model: "m", prefill: "The answer" }).native as {
    messages: unknown[];
  };
  expect(body.messages.at(-1)).toEqual({ role: "assistant", content: "The answer" });
  expect(request.messages).toHaveLength(1);
});
