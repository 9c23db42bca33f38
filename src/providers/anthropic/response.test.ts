// Replays every recorded Anthropic Messages response through the response translator, field by field.
import { describe, expect, test } from "bun:test";
import type { ChatCompletion } from "../../api/chat.ts";
import { finishReasonFor, toChatCompletion, toUsage } from "./response.ts";
import { anthropicMessageSchema } from "./wire.ts";
import { fixtureJson } from "../testing.ts";

const context = { clock: () => 1_700_000_000_500, newId: (prefix: string) => `${prefix}fixed` };

function translate(name: string): { completion: ChatCompletion; raw: Record<string, unknown> } {
  const raw = fixtureJson("anthropic", name) as Record<string, unknown>;
  return { completion: toChatCompletion(anthropicMessageSchema.parse(raw), context), raw };
}

describe("every recorded response", () => {
  const names = [
    "messages-text.json",
    "messages-text-httprr.json",
    "messages-thinking.json",
    "messages-parallel-tool-use.json",
    "messages-tool-use-no-args.json",
  ];
  for (const name of names) {
    test(`${name}: envelope, model and usage`, () => {
      const { completion, raw } = translate(name);
      const usage = raw.usage as Record<string, number>;
      expect(completion.id).toBe("chatcmpl-fixed");
      expect(completion.object).toBe("chat.completion");
      expect(completion.created).toBe(1_700_000_000);
      expect(completion.model).toBe(String(raw.model));
      expect(completion.choices).toHaveLength(1);
      expect(completion.choices[0]?.index).toBe(0);
      expect(completion.choices[0]?.message.role).toBe("assistant");
      expect(completion.usage).toEqual({
        prompt_tokens: (usage.input_tokens ?? 0) + (usage.cache_read_input_tokens ?? 0),
        completion_tokens: usage.output_tokens ?? 0,
        total_tokens:
          (usage.input_tokens ?? 0) + (usage.cache_read_input_tokens ?? 0) + (usage.output_tokens ?? 0),
        prompt_tokens_details: { cached_tokens: 0 },
      });
    });
  }
});

describe("response details", () => {
  test("plain text, end_turn -> stop", () => {
    const { completion } = translate("messages-text.json");
    expect(completion.model).toBe("claude-sonnet-4-5-20250929");
    expect(completion.choices[0]?.message.content).toBe(
      "Hello! I'm doing well, thanks for asking. How are you doing today? Is there anything I can help you with?",
    );
    expect(completion.choices[0]?.finish_reason).toBe("stop");
    expect(completion.choices[0]?.message.tool_calls).toBeUndefined();
    expect(completion.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 29, total_tokens: 41 });
  });

  test("thinking goes to reasoning_content, with a signed reasoning_details entry", () => {
    const { completion, raw } = translate("messages-thinking.json");
    const [thinking, text] = raw.content as Array<Record<string, string>>;
    const message = completion.choices[0]?.message;
    expect(message?.reasoning_content).toBe(thinking?.thinking);
    expect(message?.reasoning_details).toEqual([
      {
        type: "reasoning.text",
        text: thinking?.thinking,
        signature: thinking?.signature,
        format: "anthropic-claude-v1",
        index: 0,
      },
    ]);
    expect(message?.content).toBe(text?.text ?? "");
    expect(String(message?.content).startsWith("Here's how to cross the street safely")).toBe(true);
  });

  test("four parallel tool calls keep their ids, names and JSON arguments", () => {
    const { completion } = translate("messages-parallel-tool-use.json");
    const message = completion.choices[0]?.message;
    expect(completion.choices[0]?.finish_reason).toBe("tool_calls");
    expect(message?.content).toBe(
      "I'll help you find out who is the youngest by retrieving information about each family member. I'll retrieve their entity information to compare their ages.",
    );
    expect(message?.tool_calls).toEqual(
      [
        ["toolu_0167cfEnoQaPviGdVXA95zcu", "Alice"],
        ["toolu_01EEe2V5HD1Ac4rKiUR4HD2T", "Bob"],
        ["toolu_01XFyAjstT3966qvRynZyVPo", "Charlie"],
        ["toolu_013mnQZbgtK2oe3Mo3XKJsx3", "Daisy"],
      ].map(([id = "", name = ""]) => ({
        id,
        type: "function",
        function: { name: "retrieve_entity_info", arguments: JSON.stringify({ name }) },
      })),
    );
    expect(completion.usage).toMatchObject({ prompt_tokens: 423, completion_tokens: 202, total_tokens: 625 });
  });

  test("a tool without arguments gets '{}'", () => {
    const { completion } = translate("messages-tool-use-no-args.json");
    expect(completion.choices[0]?.message.tool_calls).toEqual([
      {
        id: "toolu_01LRmxn9vGM1d2DZSDBowdZ1",
        type: "function",
        function: { name: "updateIssueList", arguments: "{}" },
      },
    ]);
    expect(
      String(completion.choices[0]?.message.content).endsWith("Okay, I will update the current issue list:"),
    ).toBe(true);
  });

  test("stop reasons", () => {
    expect(finishReasonFor("end_turn")).toBe("stop");
    expect(finishReasonFor("stop_sequence")).toBe("stop");
    expect(finishReasonFor("max_tokens")).toBe("length");
    expect(finishReasonFor("tool_use")).toBe("tool_calls");
    expect(finishReasonFor("refusal")).toBe("content_filter");
    expect(finishReasonFor("model_context_window_exceeded")).toBe("length");
  });

  test("usage counts cached prompt tokens and reasoning tokens", () => {
    expect(
      toUsage({
        input_tokens: 10,
        cache_read_input_tokens: 100,
        cache_creation_input_tokens: 5,
        output_tokens: 40,
        output_tokens_details: { thinking_tokens: 30 },
      }),
    ).toEqual({
      prompt_tokens: 115,
      completion_tokens: 40,
      total_tokens: 155,
      prompt_tokens_details: { cached_tokens: 100 },
      completion_tokens_details: { reasoning_tokens: 30 },
    });
  });
});
