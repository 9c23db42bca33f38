// The Messages dialect both ways: a Claude Code-shaped request into canonical terms, and recorded Anthropic answers
// and streams rendered back (after a trip through the canonical model) into what the recording held.
import { describe, expect, test } from "bun:test";
import type { CanonicalResponse } from "../../canonical/response.ts";
import type { StreamFrame } from "../../canonical/stream.ts";
import { toCanonicalResponse } from "../../providers/anthropic/response.ts";
import { replaySse } from "../../providers/anthropic/test-data.ts";
import { anthropicMessageSchema } from "../../providers/anthropic/wire.ts";
import { counterIds, fixtureJson, fixtureSse, fixtureText, ssePayloads } from "../../providers/testing.ts";
import { readMessagesRequest } from "../../server/routes/messages.ts";
import { renderMessage } from "./render.ts";
import { createMessagesStreamRenderer } from "./render-stream.ts";
import { messagesToCanonical } from "./to-canonical.ts";

type Json = Record<string, unknown>;

const SCHEMA_2020 = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  type: "object",
  properties: { command: { type: "string" } },
  required: ["command"],
  additionalProperties: false,
};

/** What Claude Code 2.1 sends on a second turn, with its fields and block kinds (issue 15). */
const CLAUDE_CODE_BODY = {
  model: "claude-opus-4-8",
  max_tokens: 32000,
  stream: true,
  system: [
    {
      type: "text",
      text: "x-anthropic-billing-header: cc_version=2.1.332.a1b; cc_entrypoint=cli; cch=4f2e1;",
    },
    { type: "text", text: "You are Claude Code.", cache_control: { type: "ephemeral" } },
    { type: "text", text: "Project rules.", cache_control: { type: "ephemeral", ttl: "1h" } },
  ],
  messages: [
    { role: "user", content: [{ type: "text", text: "List the files." }] },
    {
      role: "assistant",
      content: [
        { type: "thinking", thinking: "I should run ls.", signature: "EqQBCkYIBRAB" },
        { type: "tool_use", id: "toolu_01", name: "Bash", input: { command: "ls" } },
      ],
    },
    { role: "system", content: "The user switched to plan mode." },
    {
      role: "user",
      content: [
        {
          type: "tool_result",
          tool_use_id: "toolu_01",
          content: [{ type: "text", text: "exit 1" }],
          is_error: true,
          cache_control: { type: "ephemeral" },
        },
        { type: "mcp_tool_result_future", payload: 1 },
      ],
    },
  ],
  tools: [
    { name: "Bash", description: "Runs a command", input_schema: SCHEMA_2020 },
    { type: "web_search_20250305", name: "web_search", max_uses: 5 },
  ],
  tool_choice: { type: "auto", disable_parallel_tool_use: true },
  thinking: { type: "adaptive" },
  output_config: { effort: "high" },
  context_management: { edits: [{ type: "clear_thinking_20251015", keep: "all" }] },
  metadata: {
    user_id:
      "user_19f2f4ee153d47fb2ef3e7954239ff16d3bff6daddd7cac0b1e7e3794fcaae80_account__session_34832e57",
  },
};

describe("request: a Claude Code body into canonical terms", () => {
  const request = readMessagesRequest(CLAUDE_CODE_BODY);
  const { canonical, billingLineDropped } = messagesToCanonical(request);

  test("every field is accepted; the billing line is left out, cache hints kept with their ttl", () => {
    expect(billingLineDropped).toBe(true);
    expect(canonical.system).toEqual([
      { type: "text", text: "You are Claude Code.", cache: {} },
      { type: "text", text: "Project rules.", cache: { ttl: "1h" } },
    ]);
    expect(canonical.stream).toBe(true);
    expect(canonical.maxOutputTokens).toBe(32000);
  });

  test("turns keep their order: thinking with Anthropic's signature, the call, the system text in place, the result", () => {
    expect(canonical.messages.map((message) => message.role)).toEqual(["user", "assistant", "user"]);
    expect(canonical.messages[1]?.content).toEqual([
      {
        type: "thinking",
        text: "I should run ls.",
        signature: "EqQBCkYIBRAB",
        origin: "anthropic-claude-v1",
      },
      { type: "tool_call", id: "toolu_01", name: "Bash", arguments: '{"command":"ls"}' },
    ]);
    expect(canonical.messages[2]?.content).toEqual([
      { type: "text", text: "The user switched to plan mode." },
      {
        type: "tool_result",
        callId: "toolu_01",
        content: [{ type: "text", text: "exit 1" }],
        isError: true,
        cache: {},
      },
    ]);
    expect(canonical.notes).toContain("a system message inside messages was sent as user text in its place");
    expect(canonical.notes).toContain("a content block of type mcp_tool_result_future was dropped");
  });

  test("tools, tool choice, thinking, effort and the user; unknown fields are listed, not refused", () => {
    expect(canonical.tools).toEqual([
      { name: "Bash", description: "Runs a command", parameters: SCHEMA_2020 },
    ]);
    expect(canonical.hostedTools).toEqual([
      { kind: "web_search", name: "web_search", config: CLAUDE_CODE_BODY.tools[1] as Json },
    ]);
    expect(canonical.toolChoice).toEqual({ type: "auto" });
    expect(canonical.parallelToolCalls).toBe(false);
    expect(canonical.reasoning).toEqual({ adaptive: true, effort: "high" });
    expect(canonical.unmapped).toEqual(["context_management"]);
    // Longer than OpenAI's 64 characters: a digest, stable across the session's requests.
    expect(canonical.user).toMatch(/^aisbf-[0-9a-f]{40}$/);
    expect(canonical.promptCacheKey).toMatch(/^aisbf-[0-9a-f]{32}$/);
    expect(messagesToCanonical(readMessagesRequest(CLAUDE_CODE_BODY)).canonical.promptCacheKey).toBe(
      canonical.promptCacheKey,
    );
  });

  test("bad input is refused naming the field", () => {
    const bad = (body: Json) => {
      try {
        readMessagesRequest(body);
      } catch (error) {
        return (error as Error).message;
      }
      return "accepted";
    };
    expect(bad({ ...CLAUDE_CODE_BODY, max_tokens: 0 })).toStartWith("max_tokens:");
    expect(
      bad({ ...CLAUDE_CODE_BODY, messages: [{ role: "user", content: [{ type: "image" }] }] }),
    ).toStartWith("messages[0].content[0].source:");
    expect(
      bad({ ...CLAUDE_CODE_BODY, messages: [{ role: "user", content: [{ type: "tool_use", id: "x" }] }] }),
    ).toStartWith("messages[0].content[0].name:");
    expect(bad({ ...CLAUDE_CODE_BODY, thinking: { type: "enabled" } })).toStartWith(
      "thinking.budget_tokens:",
    );
  });
});

const ANSWERS = [
  "messages-text.json",
  "messages-thinking.json",
  "messages-parallel-tool-use.json",
  "messages-web-search.json",
];

describe("answer: recorded message -> canonical -> rendered message", () => {
  for (const name of ANSWERS) {
    test(name, () => {
      const recorded = fixtureJson("anthropic", name) as Json;
      const canonical = toCanonicalResponse(anthropicMessageSchema.parse(recorded), {
        clock: () => 0,
        newId: counterIds(),
      });
      const rendered = renderMessage(canonical, counterIds());
      expect(rendered.id).toBe(recorded.id as string);
      expect(rendered.model).toBe(recorded.model as string);
      expect(rendered.stop_reason).toBe(recorded.stop_reason as "end_turn");
      // Every block the recording holds, with the fields a client reads (citations included).
      const kept = (recorded.content as Json[]).map((block) => {
        const { citations, ...rest } = block;
        return Array.isArray(citations) && citations.length > 0 ? { ...rest, citations } : rest;
      });
      expect(rendered.content).toEqual(kept as typeof rendered.content);
      const usage = recorded.usage as Json;
      expect(rendered.usage).toMatchObject({
        input_tokens: usage.input_tokens as number,
        output_tokens: usage.output_tokens as number,
      });
    });
  }

  test("another provider's answer: its ids replaced, tool calls stop a turn as tool_use, cached tokens apart", () => {
    const response: CanonicalResponse = {
      id: "chatcmpl-1",
      model: "gpt-4.1-mini",
      created: 1,
      content: [{ type: "tool_call", id: "call_1", name: "Bash", arguments: '{"command":"ls"}' }],
      stopReason: "end_turn",
      usage: { inputTokens: 100, outputTokens: 7, cacheReadTokens: 60 },
    };
    expect(renderMessage(response, counterIds())).toEqual({
      id: "msg_1",
      type: "message",
      role: "assistant",
      model: "gpt-4.1-mini",
      content: [{ type: "tool_use", id: "call_1", name: "Bash", input: { command: "ls" } }],
      stop_reason: "tool_use",
      stop_sequence: null,
      usage: {
        input_tokens: 40,
        output_tokens: 7,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 60,
      },
    });
  });

  test("Gemini's thought signature rides in the thinking block's signature and comes back as Gemini's", () => {
    const signature = "EtoFCtcFAb4+9vtfe4MXRxQjw48U1W";
    const rendered = renderMessage(
      {
        id: "x",
        model: "gemini-2.5-flash",
        created: 1,
        content: [{ type: "thinking", text: "Thinking.", signature, origin: "google" }],
        stopReason: "end_turn",
      },
      counterIds(),
    );
    const block = rendered.content[0] as { thinking: string; signature: string };
    expect(block.signature).toStartWith("aisbf.v1.");
    const back = messagesToCanonical(
      readMessagesRequest({
        model: "m",
        max_tokens: 10,
        messages: [
          { role: "user", content: "hi" },
          { role: "assistant", content: rendered.content },
        ],
      }),
    ).canonical;
    expect(back.messages[1]?.content).toEqual([
      { type: "thinking", text: "Thinking.", signature, origin: "google" },
    ]);
  });
});

/** SSE events as {event, data} pairs. */
function eventsOf(framed: string[]): Array<{ event: string; data: Json }> {
  return framed.map((text) => {
    const match = /^event: (.+)\ndata: (.*)\n\n$/s.exec(text);
    if (!match) throw new Error(`not a named event: ${JSON.stringify(text)}`);
    return { event: match[1] as string, data: JSON.parse(match[2] as string) as Json };
  });
}

function render(frames: StreamFrame[]): string[] {
  const renderer = createMessagesStreamRenderer({ newId: counterIds() });
  return [...frames.flatMap((frame) => renderer.render(frame)), ...renderer.end()];
}

/** What a client builds of a stream, as the SDK's accumulation does: blocks by index, the stop reason, usage. */
function accumulate(events: Array<{ event: string; data: Json }>): Json {
  const blocks: Json[] = [];
  let stop: unknown = null;
  for (const { data } of events) {
    const index = data.index as number;
    if (data.type === "content_block_start") blocks[index] = { ...(data.content_block as Json) };
    if (data.type === "content_block_delta") {
      const block = blocks[index] as Json;
      const delta = data.delta as Json;
      if (delta.type === "text_delta") block.text = `${block.text as string}${delta.text as string}`;
      if (delta.type === "thinking_delta")
        block.thinking = `${block.thinking as string}${delta.thinking as string}`;
      if (delta.type === "signature_delta") block.signature = delta.signature;
      if (delta.type === "input_json_delta")
        block.json = `${(block.json as string) ?? ""}${delta.partial_json as string}`;
    }
    if (data.type === "message_delta") stop = (data.delta as Json).stop_reason;
  }
  for (const block of blocks) {
    // Who called a tool (programmatic tool calling's `caller`) has no canonical form: only Anthropic's own stream,
    // forwarded, carries it.
    delete block.caller;
    if (block.type === "tool_use") {
      block.input = block.json ? JSON.parse(block.json as string) : block.input;
      delete block.json;
    }
  }
  return { blocks, stop };
}

const STREAMS = [
  "messages-stream-text-httprr.sse",
  "messages-stream-thinking.sse",
  "messages-stream-parallel-tool-use.sse",
  "messages-stream-stop-sequence.sse",
  "messages-stream-redacted-thinking.sse",
];

describe("stream: recorded events -> canonical frames -> rendered events", () => {
  for (const name of STREAMS) {
    test(name, async () => {
      const sse = fixtureSse("anthropic", name);
      const { frames, error } = await replaySse(sse);
      expect(error).toBeUndefined();
      // Rendered from the canonical events alone, as for any other provider.
      const rendered = eventsOf(render(frames.map((frame) => ({ events: frame.events }))));
      expect(rendered[0]?.event).toBe("message_start");
      expect(rendered[1]?.event).toBe("ping");
      expect(rendered.at(-1)?.event).toBe("message_stop");
      for (const { event, data } of rendered) expect(data.type).toBe(event);
      const recorded = ssePayloads(fixtureText("anthropic", name)).map((data) => ({
        event: String(data.type),
        data,
      }));
      expect(accumulate(rendered)).toEqual(accumulate(recorded));
    });
  }

  test("an Anthropic upstream's own events are forwarded byte for byte (only their padding trimmed by the reader)", async () => {
    const sse = fixtureSse("anthropic", "messages-stream-thinking.sse");
    const { frames } = await replaySse(sse);
    const forwarded = eventsOf(render(frames));
    const recorded = ssePayloads(sse);
    expect(forwarded.map(({ data }) => data)).toEqual(recorded);
  });

  test("a continuation after a cut goes on in the forwarded stream's open block, then closes the message", async () => {
    const events = ssePayloads(fixtureSse("anthropic", "messages-stream-text-httprr.sse"));
    const cutAt = events.findIndex((event) => event.type === "content_block_stop");
    const sse = events
      .slice(0, cutAt)
      .map((event) => `event: ${String(event.type)}\ndata: ${JSON.stringify(event)}\n\n`)
      .join("");
    const { frames } = await replaySse(sse);
    const continuation: StreamFrame[] = [
      { events: [{ type: "block_delta", index: 0, delta: { type: "text", text: " and more" } }] },
      {
        events: [
          { type: "block_stop", index: 0 },
          { type: "finish", stopReason: "end_turn" },
        ],
      },
    ];
    const rendered = eventsOf(render([...frames, ...continuation]));
    const tail = rendered.slice(-4).map(({ data }) => data);
    expect(tail[0]).toEqual({
      type: "content_block_delta",
      index: 0,
      delta: { type: "text_delta", text: " and more" },
    });
    expect(tail[1]).toEqual({ type: "content_block_stop", index: 0 });
    expect((tail[2]?.delta as Json).stop_reason).toBe("end_turn");
    expect(tail[3]).toEqual({ type: "message_stop" });
  });
});
