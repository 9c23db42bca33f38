// Replays the recorded non-streamed Ollama answers through the response translator, block by block.
import { describe, expect, test } from "bun:test";
import { counterIds as counter, fixtureEvents, fixtureJson } from "../testing.ts";
import { stopReasonFor, toCanonicalResponse, usageFrom } from "./response.ts";
import { ollamaChatResponseSchema } from "./wire.ts";

/** The recorded answer as the tests read it, independently of the translator's schema. */
interface RecordedAnswer {
  model: string;
  message: {
    content: string;
    thinking?: string;
    tool_calls?: Array<{ id?: string; function: { name: string; arguments: Record<string, unknown> } }>;
  };
  done_reason: string;
  prompt_eval_count: number;
  eval_count: number;
}

const context = { id: "chatcmpl-1", created: 1_772_581_484, model: "fallback" };

describe("chat-tool-call-cloud-httprr.json (gpt-oss:120b on Ollama Cloud)", () => {
  const recorded = fixtureJson("ollama", "chat-tool-call-cloud-httprr.json") as RecordedAnswer;
  const native = ollamaChatResponseSchema.parse(recorded);

  test("becomes one canonical answer: Ollama's thinking, the tool call, tool_use and usage", () => {
    const call = recorded.message.tool_calls?.[0];
    if (!call) throw new Error("the fixture has no tool call");
    expect(toCanonicalResponse(native, { ...context, newId: counter() })).toEqual({
      id: "chatcmpl-1",
      model: recorded.model,
      created: 1_772_581_484,
      // content is "" on the wire: no text block.
      content: [
        { type: "thinking", text: recorded.message.thinking ?? "", origin: "ollama" },
        {
          type: "tool_call",
          id: call.id ?? "",
          name: call.function.name,
          arguments: JSON.stringify(call.function.arguments),
        },
      ],
      // done_reason is "stop" on the wire; the tool call decides.
      stopReason: "tool_use",
      usage: { inputTokens: recorded.prompt_eval_count, outputTokens: recorded.eval_count },
    });
    expect(recorded.done_reason).toBe("stop");
    expect(call.id).toBe("call_mo1wm122");
  });

  test("a call without an id (older servers, docs/api.md example) gets a generated one", () => {
    const withoutId = ollamaChatResponseSchema.parse({
      ...recorded,
      message: {
        ...recorded.message,
        tool_calls: recorded.message.tool_calls?.map(({ function: fn }) => ({ function: fn })),
      },
    });
    const response = toCanonicalResponse(withoutId, { ...context, newId: counter() });
    expect(response.content[1]).toMatchObject({ type: "tool_call", id: "call_1" });
  });
});

describe("the done line of chat-stream-httprr.ndjson read as a whole answer", () => {
  const lines = fixtureEvents("ollama", "chat-stream-httprr.ndjson") as RecordedAnswer[];

  test("text, end_turn and counts", () => {
    const last = lines.at(-1);
    if (!last) throw new Error("fixture is empty");
    const text = lines.map((line) => line.message.content).join("");
    const whole = ollamaChatResponseSchema.parse({ ...last, message: { role: "assistant", content: text } });
    expect(toCanonicalResponse(whole, { ...context, newId: counter() })).toEqual({
      id: "chatcmpl-1",
      model: last.model,
      created: 1_772_581_484,
      content: [{ type: "text", text: "Okay, here we go!\n\n1, 2, 3, 4, 5\n" }],
      stopReason: "end_turn",
      usage: { inputTokens: last.prompt_eval_count, outputTokens: last.eval_count },
    });
  });

  test("without a model in the answer, the configured one is named", () => {
    const done = lines.at(-1);
    if (!done) throw new Error("fixture is empty");
    const { model: _model, ...last } = done;
    const response = toCanonicalResponse(ollamaChatResponseSchema.parse(last), {
      ...context,
      newId: counter(),
    });
    expect(response.model).toBe("fallback");
    expect(response.content).toEqual([]);
  });
});

describe("stopReasonFor / usageFrom", () => {
  test.each([
    ["stop", false, "end_turn"],
    ["stop", true, "tool_use"],
    ["length", false, "max_tokens"],
    ["length", true, "max_tokens"],
    ["load", false, "end_turn"],
    ["unload", false, "end_turn"],
    [undefined, false, "end_turn"],
  ] as const)("done_reason %p with tool calls %p -> %p", (reason, calls, expected) => {
    expect(stopReasonFor(reason, calls)).toBe(expected);
  });

  test("missing counts are zero", () => {
    expect(usageFrom({})).toEqual({ inputTokens: 0, outputTokens: 0 });
  });
});
