// The OpenAI request: fields pass through; long tool call ids (Gemini's) are shortened, pairs kept.
import { expect, test } from "bun:test";
import type { ChatRequest } from "../../api/chat.ts";
import { chatToCanonical } from "../../api/openai-chat/to-canonical.ts";
import { MAX_TOOL_CALL_ID, shortToolCallId, toOpenAIRequest } from "./request.ts";

/** The input for a client that spoke OpenAI Chat (pass-through), or, with `as`, another dialect. */
function input(
  request: ChatRequest,
  model: string,
  extra: { prefill?: string; as?: "anthropic-messages" } = {},
) {
  const original = extra.as
    ? { dialect: extra.as, body: request as Record<string, unknown> }
    : { dialect: "openai-chat" as const, body: request };
  return { request: chatToCanonical(request), original, model, prefill: extra.prefill };
}

const longId = `gcall_${"A".repeat(300)}__gts_${"b".repeat(500)}`;

test("every field passes through; only the model changes", () => {
  const request = {
    model: "openai/gpt",
    messages: [{ role: "user", content: "hi" }],
    seed: 3,
  } as ChatRequest;
  const { native: body, warnings } = toOpenAIRequest(input(request, "gpt"));
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
  const body = toOpenAIRequest(input(request, "m")).native as {
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
  const body = toOpenAIRequest(input(request, "m", { prefill: "The answer" })).native as {
    messages: unknown[];
  };
  expect(body.messages.at(-1)).toEqual({ role: "assistant", content: "The answer" });
  expect(request.messages).toHaveLength(1);
});

test("another dialect's request is written on the Chat wire from its canonical form, with what was lost warned", () => {
  const request = {
    model: "m",
    messages: [
      { role: "system", content: "Be brief." },
      {
        role: "user",
        content: [
          { type: "text", text: "hi" },
          { type: "video", url: "x" },
        ],
      },
    ],
    max_tokens: 10,
    logprobs: true,
  } as ChatRequest;
  const { native, warnings } = toOpenAIRequest(
    input(request, "gpt", { as: "anthropic-messages", prefill: "So" }),
  );
  expect(native).toEqual({
    model: "gpt",
    messages: [
      { role: "system", content: "Be brief." },
      { role: "user", content: "hi" },
      { role: "assistant", content: "So" },
    ],
    max_completion_tokens: 10,
  });
  expect(warnings).toEqual([
    "a content part of type video was dropped",
    "logprobs is not supported by OpenAI and was dropped",
  ]);
});
