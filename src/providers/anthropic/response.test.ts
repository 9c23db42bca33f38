// Replays every recorded Anthropic Messages answer through the response translator and checks the canonical answer
// against what the recording says, block by block.
import { describe, expect, test } from "bun:test";
import type { ContentBlock } from "../../canonical/content.ts";
import type { CanonicalResponse, StopReason } from "../../canonical/response.ts";
import { fixtureJson } from "../testing.ts";
import { stopReasonOf, toCanonicalResponse, usageOf } from "./response.ts";
import { anthropicMessageSchema } from "./wire.ts";

const context = { clock: () => 1_700_000_000_500, newId: (prefix: string) => `${prefix}minted` };

type Payload = Record<string, unknown>;

function record(value: unknown): Payload {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? { ...value } : {};
}

const text = (value: unknown): string => (typeof value === "string" ? value : "");

function translate(name: string): { response: CanonicalResponse; raw: Payload } {
  const raw = record(fixtureJson("anthropic", name));
  return { response: toCanonicalResponse(anthropicMessageSchema.parse(raw), context), raw };
}

/** A recorded content block in canonical terms, read without the translator. */
function recordedBlock(block: Payload): ContentBlock {
  switch (block.type) {
    case "text": {
      const out: ContentBlock = { type: "text", text: text(block.text) };
      if (Array.isArray(block.citations) && block.citations.length > 0) out.citations = block.citations;
      return out;
    }
    case "thinking":
      return {
        type: "thinking",
        text: text(block.thinking),
        signature: text(block.signature),
        origin: "anthropic-claude-v1",
      };
    case "tool_use":
      return {
        type: "tool_call",
        id: text(block.id),
        name: text(block.name),
        arguments: JSON.stringify(block.input),
      };
    case "server_tool_use":
      return { type: "server_tool_call", id: text(block.id), name: text(block.name), input: block.input };
    default:
      return {
        type: "server_tool_result",
        callId: text(block.tool_use_id),
        resultType: text(block.type),
        content: block.content,
      };
  }
}

const STOP_REASONS: StopReason[] = [
  "end_turn",
  "stop_sequence",
  "max_tokens",
  "tool_use",
  "refusal",
  "pause_turn",
];

const RESPONSE_FIXTURES = [
  "messages-text.json",
  "messages-text-httprr.json",
  "messages-thinking.json",
  "messages-parallel-tool-use.json",
  "messages-tool-use-no-args.json",
  "messages-web-search.json",
];

describe("every recorded response", () => {
  for (const name of RESPONSE_FIXTURES) {
    test(`${name}: id, model, blocks in order, stop reason and usage`, () => {
      const { response, raw } = translate(name);
      const usage = record(raw.usage);
      const cacheRead = Number(usage.cache_read_input_tokens ?? 0);
      const cacheWrite = Number(usage.cache_creation_input_tokens ?? 0);
      expect(response).toEqual({
        id: text(raw.id),
        model: text(raw.model),
        created: 1_700_000_000,
        content: (Array.isArray(raw.content) ? raw.content : []).map((block) => recordedBlock(record(block))),
        stopReason: STOP_REASONS.find((reason) => reason === raw.stop_reason) ?? null,
        usage: {
          inputTokens: Number(usage.input_tokens) + cacheRead + cacheWrite,
          outputTokens: Number(usage.output_tokens),
          cacheReadTokens: cacheRead,
          cacheWriteTokens: cacheWrite,
        },
      });
    });
  }
});

describe("response details", () => {
  test("plain text, end_turn", () => {
    const { response } = translate("messages-text.json");
    expect(response.content).toEqual([
      {
        type: "text",
        text: "Hello! I'm doing well, thanks for asking. How are you doing today? Is there anything I can help you with?",
      },
    ]);
    expect(response.stopReason).toBe("end_turn");
    expect(response.id).toBe("msg_01VdEjxAP5ahtHKrrRdNBteQ");
  });

  test("four parallel tool calls keep their ids, names and JSON arguments", () => {
    const { response } = translate("messages-parallel-tool-use.json");
    expect(response.content.filter((block) => block.type === "tool_call")).toEqual(
      [
        ["toolu_0167cfEnoQaPviGdVXA95zcu", "Alice"],
        ["toolu_01EEe2V5HD1Ac4rKiUR4HD2T", "Bob"],
        ["toolu_01XFyAjstT3966qvRynZyVPo", "Charlie"],
        ["toolu_013mnQZbgtK2oe3Mo3XKJsx3", "Daisy"],
      ].map(([id = "", name = ""]) => ({
        type: "tool_call",
        id,
        name: "retrieve_entity_info",
        arguments: JSON.stringify({ name }),
      })),
    );
  });

  test("a tool without arguments gets '{}'", () => {
    const { response } = translate("messages-tool-use-no-args.json");
    expect(response.content.at(-1)).toEqual({
      type: "tool_call",
      id: "toolu_01LRmxn9vGM1d2DZSDBowdZ1",
      name: "updateIssueList",
      arguments: "{}",
    });
  });

  test("web search: the searches, their results in the tool's shape, and cited text", () => {
    const { response, raw } = translate("messages-web-search.json");
    const blocks = (Array.isArray(raw.content) ? raw.content : []).map(record);
    expect(response.content.map((block) => block.type)).toEqual(
      blocks.map((block) =>
        block.type === "server_tool_use"
          ? "server_tool_call"
          : block.type === "web_search_tool_result"
            ? "server_tool_result"
            : "text",
      ),
    );
    expect(response.content[0]).toEqual({
      type: "server_tool_call",
      id: "srvtoolu_01Qxbje4duKBes3Nj42MkZug",
      name: "web_search",
      input: { query: "tech news today September 26 2024" },
    });
    const cited = response.content.filter((block) => block.type === "text" && block.citations !== undefined);
    expect(cited).toHaveLength(blocks.filter((block) => Array.isArray(block.citations)).length);
    expect(cited.length).toBeGreaterThan(0);
  });

  test("a message without an id gets one minted", () => {
    const { id: _id, ...rest } = record(fixtureJson("anthropic", "messages-text.json"));
    expect(toCanonicalResponse(anthropicMessageSchema.parse(rest), context).id).toBe("chatcmpl-minted");
  });

  test("stop_sequence names the sequence that matched", () => {
    const raw = { ...record(fixtureJson("anthropic", "messages-text.json")) };
    // The stream recording's own stop: https://docs.anthropic.com/en/api/handling-stop-reasons#stop-sequence
    const stopped = { ...raw, stop_reason: "stop_sequence", stop_sequence: "```" };
    const response = toCanonicalResponse(anthropicMessageSchema.parse(stopped), context);
    expect(response).toMatchObject({ stopReason: "stop_sequence", stopSequence: "```" });
  });

  test("stop reasons: Anthropic's own, kept apart", () => {
    expect(stopReasonOf("end_turn")).toBe("end_turn");
    expect(stopReasonOf("stop_sequence")).toBe("stop_sequence");
    expect(stopReasonOf("max_tokens")).toBe("max_tokens");
    expect(stopReasonOf("tool_use")).toBe("tool_use");
    expect(stopReasonOf("refusal")).toBe("refusal");
    expect(stopReasonOf("pause_turn")).toBe("pause_turn");
    expect(stopReasonOf("model_context_window_exceeded")).toBe("max_tokens");
    expect(stopReasonOf("a_reason_from_next_year")).toBe("end_turn");
    expect(stopReasonOf(null)).toBeNull();
  });

  test("usage counts every input token, cache reads and writes named, and reasoning tokens", () => {
    expect(
      usageOf({
        input_tokens: 10,
        cache_read_input_tokens: 100,
        cache_creation_input_tokens: 5,
        output_tokens: 40,
        output_tokens_details: { thinking_tokens: 30 },
      }),
    ).toEqual({
      inputTokens: 115,
      outputTokens: 40,
      cacheReadTokens: 100,
      cacheWriteTokens: 5,
      reasoningTokens: 30,
    });
    expect(usageOf({ input_tokens: 3, output_tokens: 1 })).toEqual({ inputTokens: 3, outputTokens: 1 });
  });
});
