// Canonical turns -> Gemini contents (through the request translator): roles and parts, tool calls and results
// with their ids and signatures, thinking, media. Most conversations are written as an OpenAI client sends them
// and read by the Chat dialect (the path they take in the gateway); what only the canonical model carries is
// written canonically.
import { describe, expect, test } from "bun:test";
import { renderCompletion } from "../../api/openai-chat/render.ts";
import { counterIds } from "../testing.ts";
import {
  plain,
  RECORDED_SIGNATURE,
  recordedCallAnswer,
  translate,
  translateCanonical,
  weatherTool,
} from "./request-testing.ts";
import { encodeToolCallId, geminiIdFromToolCallId, SKIP_SIGNATURE, toolCallBaseId } from "./tool-ids.ts";

describe("messages", () => {
  test("system/developer -> systemInstruction; roles mapped; consecutive users merged; images", () => {
    const { native, warnings } = translate({
      messages: [
        { role: "system", content: "Be brief." },
        { role: "developer", content: [{ type: "text", text: "Answer in French." }] },
        { role: "user", content: "Hello" },
        {
          role: "user",
          content: [
            { type: "text", text: "What is this?" },
            { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
            { type: "image_url", image_url: { url: "https://example.com/cat.jpg?size=2" } },
          ],
        },
        { role: "assistant", content: "Un chat." },
        { role: "user", content: "Merci" },
      ],
    });
    expect(warnings).toEqual([]);
    // The model goes in the URL (endpoint.ts), not in the body.
    expect("model" in native).toBe(false);
    expect(native.systemInstruction).toEqual({
      parts: [{ text: "Be brief." }, { text: "Answer in French." }],
    });
    expect(native.contents).toEqual([
      {
        role: "user",
        parts: [
          { text: "Hello" },
          { text: "What is this?" },
          { inlineData: { mimeType: "image/png", data: "iVBORw0KGgo=" } },
          { fileData: { fileUri: "https://example.com/cat.jpg?size=2", mimeType: "image/jpeg" } },
        ],
      },
      { role: "model", parts: [{ text: "Un chat." }] },
      { role: "user", parts: [{ text: "Merci" }] },
    ]);
  });

  test("a late system message is moved, with a warning; unsupported parts are dropped with a warning", () => {
    const { native, warnings } = translate({
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "Hi" },
            { type: "refusal", refusal: "no" },
          ],
        },
        { role: "system", content: "Now be formal." },
      ],
    });
    expect(native.systemInstruction).toEqual({ parts: [{ text: "Now be formal." }] });
    expect(native.contents).toEqual([{ role: "user", parts: [{ text: "Hi" }] }]);
    // The first is the Chat dialect's note, the second Gemini's.
    expect(warnings).toEqual([
      "a system message inside the conversation was moved to the system prompt",
      "A 'refusal' content part was dropped (not supported by the Gemini translation).",
    ]);
  });

  test("prefill is sent as a final model turn", () => {
    const { native } = translate({ messages: [{ role: "user", content: "Count to 5" }] }, "1, 2,");
    expect(native.contents.at(-1)).toEqual({ role: "model", parts: [{ text: "1, 2," }] });
  });
});

describe("tool conversations", () => {
  test("a multi-turn tool conversation keeps the thought signature through the client", () => {
    // Turn 1: the recorded answer with a signed functionCall, as an OpenAI client receives it.
    const completion = renderCompletion(recordedCallAnswer(), counterIds());
    const toolCalls = completion.choices[0]?.message.tool_calls ?? [];
    // Turn 2: the client sends the call back (only id, name, arguments) with its result.
    const { native, warnings } = translate({
      tools: [weatherTool],
      tool_choice: "auto",
      messages: [
        { role: "user", content: "Weather in SF?" },
        { role: "assistant", content: null, tool_calls: toolCalls },
        { role: "tool", tool_call_id: toolCalls[0]?.id, content: '{"temperature":18,"unit":"C"}' },
        { role: "assistant", content: "It is 18°C." },
        { role: "user", content: "And tomorrow?" },
      ],
    });
    expect(warnings).toEqual([]);
    expect(native.contents).toEqual([
      { role: "user", parts: [{ text: "Weather in SF?" }] },
      {
        role: "model",
        parts: [
          {
            functionCall: { name: "weather", args: { location: "San Francisco" } },
            thoughtSignature: RECORDED_SIGNATURE,
          },
        ],
      },
      {
        role: "user",
        parts: [{ functionResponse: { name: "weather", response: { temperature: 18, unit: "C" } } }],
      },
      { role: "model", parts: [{ text: "It is 18°C." }] },
      { role: "user", parts: [{ text: "And tomorrow?" }] },
    ]);
    expect(plain(native.tools)).toEqual([
      {
        functionDeclarations: [
          {
            name: "weather",
            description: "Weather for a city",
            parameters: {
              type: "OBJECT",
              properties: { location: { type: "STRING" } },
              required: ["location"],
            },
          },
        ],
      },
    ]);
    expect(plain(native.toolConfig)).toEqual({ functionCallingConfig: { mode: "AUTO" } });
  });

  test("the canonical answer fed back as is: the signature comes from the block, whatever the id says", () => {
    const answer = recordedCallAnswer();
    const call = answer.content[0];
    if (call?.type !== "tool_call") throw new Error("expected a tool call");
    expect(call.signature).toBe(RECORDED_SIGNATURE);
    // Another dialect may keep the block but mint its own id: the block's signature still goes back.
    const { native, warnings } = translateCanonical({}, [
      { role: "user", content: [{ type: "text", text: "Weather in SF?" }] },
      { role: "assistant", content: [{ ...call, id: "toolu_01" }] },
      {
        role: "user",
        content: [{ type: "tool_result", callId: "toolu_01", content: [{ type: "text", text: "18C" }] }],
      },
    ]);
    expect(warnings).toEqual([]);
    expect(native.contents.slice(1)).toEqual([
      {
        role: "model",
        parts: [
          {
            functionCall: { name: "weather", args: { location: "San Francisco" } },
            thoughtSignature: RECORDED_SIGNATURE,
          },
        ],
      },
      { role: "user", parts: [{ functionResponse: { name: "weather", response: { result: "18C" } } }] },
    ]);
  });

  test("thinking: Gemini's signed thought goes back as a thought part; summaries and others' reasoning do not", () => {
    const { native, warnings } = translateCanonical({}, [
      { role: "user", content: [{ type: "text", text: "Plan it" }] },
      {
        role: "assistant",
        content: [
          { type: "thinking", text: "Gemini thought", signature: "Z3NpZw==", origin: "google" },
          { type: "thinking", text: "A summary with no signature", origin: "google" },
          { type: "thinking", text: "Claude thought", signature: "c2lnbmF0dXJl", origin: "anthropic" },
          { type: "redacted_thinking", data: "ZW5jcnlwdGVk", origin: "anthropic" },
          { type: "text", text: "Here is the plan." },
        ],
      },
    ]);
    expect(native.contents[1]).toEqual({
      role: "model",
      parts: [
        { text: "Gemini thought", thought: true, thoughtSignature: "Z3NpZw==" },
        { text: "Here is the plan." },
      ],
    });
    expect(warnings).toEqual([
      "Reasoning signed by another provider was not sent: Gemini cannot verify its signature.",
    ]);
  });

  test("a failed tool result goes as the response's error key; media of a result as parts", () => {
    const { native } = translateCanonical({}, [
      { role: "user", content: [{ type: "text", text: "Go" }] },
      { role: "assistant", content: [{ type: "tool_call", id: "c1", name: "fetch", arguments: "{}" }] },
      {
        role: "user",
        content: [
          {
            type: "tool_result",
            callId: "c1",
            isError: true,
            content: [
              { type: "text", text: '{"status":404}' },
              {
                type: "document",
                source: { type: "base64", mediaType: "application/pdf", data: "JVBERi0=" },
              },
            ],
          },
          { type: "text", text: "What went wrong?" },
        ],
      },
    ]);
    expect(native.contents.slice(2)).toEqual([
      {
        role: "user",
        parts: [
          {
            functionResponse: {
              name: "fetch",
              response: { error: { status: 404 } },
              parts: [{ inlineData: { mimeType: "application/pdf", data: "JVBERi0=" } }],
            },
          },
        ],
      },
      // A user turn's own text after its results is a content of its own, as for an OpenAI user message.
      { role: "user", parts: [{ text: "What went wrong?" }] },
    ]);
  });

  test("parallel calls: results merged into one turn, paired by id, then by order; missing signature -> skip sentinel", () => {
    const { native, warnings } = translate({
      tools: [weatherTool],
      messages: [
        { role: "user", content: "Paris and Rome?" },
        {
          role: "assistant",
          content: "Checking.",
          tool_calls: [
            {
              id: "call_a",
              type: "function",
              function: { name: "weather", arguments: '{"location":"Paris"}' },
            },
            { id: "call_b", type: "function", function: { name: "time", arguments: "" } },
          ],
        },
        { role: "tool", tool_call_id: "call_b", content: "12:00" },
        { role: "tool", tool_call_id: "unknown-id", content: "[1,2]" },
      ],
    });
    expect(warnings).toEqual([]);
    expect(native.contents[1]).toEqual({
      role: "model",
      parts: [
        { text: "Checking." },
        { functionCall: { name: "weather", args: { location: "Paris" } }, thoughtSignature: SKIP_SIGNATURE },
        { functionCall: { name: "time", args: {} } },
      ],
    });
    expect(native.contents[2]).toEqual({
      role: "user",
      parts: [
        { functionResponse: { name: "time", response: { result: "12:00" } } },
        // Unknown id: the second result pairs with the second call.
        { functionResponse: { name: "time", response: { result: [1, 2] } } },
      ],
    });
  });

  test("a user message name has no Gemini equivalent: dropped with one warning", () => {
    const { native, warnings } = translate({
      messages: [
        { role: "user", name: "alice", content: "Hi" },
        { role: "user", name: "bob", content: "Hello" },
      ],
    });
    expect(native.contents).toEqual([{ role: "user", parts: [{ text: "Hi" }, { text: "Hello" }] }]);
    expect(warnings).toEqual(["Message 'name' fields have no Gemini equivalent and were dropped."]);
  });

  test("results sent out of order go back in the order of the calls (Gemini pairs same names by position)", () => {
    const call = (id: string, city: string) => ({
      id,
      type: "function",
      function: { name: "weather", arguments: JSON.stringify({ location: city }) },
    });
    const { native } = translate({
      tools: [weatherTool],
      messages: [
        { role: "user", content: "Paris, Rome and Oslo?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [call("call_p", "Paris"), call("call_r", "Rome"), call("call_o", "Oslo")],
        },
        { role: "tool", tool_call_id: "call_o", content: '{"city":"Oslo"}' },
        { role: "tool", tool_call_id: "call_p", content: '{"city":"Paris"}' },
        { role: "tool", tool_call_id: "call_r", content: '{"city":"Rome"}' },
      ],
    });
    expect(native.contents[2]).toEqual({
      role: "user",
      parts: ["Paris", "Rome", "Oslo"].map((city) => ({
        functionResponse: { name: "weather", response: { city } },
      })),
    });
  });

  test("a signature from Google's extra_content field is restored too; bad arguments warn", () => {
    const { native, warnings } = translate({
      messages: [
        { role: "user", content: "Go" },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            {
              id: "c1",
              type: "function",
              function: { name: "weather", arguments: "{not json" },
              extra_content: { google: { thought_signature: "c2lnbmF0dXJl" } },
            },
          ],
        },
        { role: "tool", tool_call_id: "c1", content: "ok" },
      ],
    });
    expect(native.contents[1]?.parts).toEqual([
      { functionCall: { name: "weather", args: {} }, thoughtSignature: "c2lnbmF0dXJl" },
    ]);
    expect(warnings).toEqual(["Tool call 'weather' had arguments that are not a JSON object; sent as {}."]);
  });

  test("signature encoding round-trips base64 that needs padding", () => {
    const signature = "ab+/cd==";
    const id = encodeToolCallId("call_9", signature);
    expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
    const { native } = translate({
      messages: [
        { role: "user", content: "x" },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id, type: "function", function: { name: "f", arguments: "{}" } }],
        },
      ],
    });
    expect(native.contents[1]?.parts?.[0]?.thoughtSignature).toBe(signature);
  });
});

describe("images in system messages and tool results", () => {
  test("an image in a system message is dropped with a warning, its text kept", () => {
    const { native, warnings } = translate({
      messages: [
        {
          role: "system",
          content: [
            { type: "text", text: "Describe like this logo." },
            { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
          ],
        },
        { role: "user", content: "Hi" },
      ],
    });
    expect(native.systemInstruction).toEqual({ parts: [{ text: "Describe like this logo." }] });
    // The canonical system prompt is text only: the Chat dialect notes the loss, and the note is the warning.
    expect(warnings).toEqual(["a content part of type image_url in a system message was dropped"]);
  });

  test("images in a tool result go as functionResponse.parts; the text stays the response", () => {
    const { native, warnings } = translate({
      tools: [weatherTool],
      messages: [
        { role: "user", content: "Show the radar" },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "call_1", type: "function", function: { name: "weather", arguments: "{}" } }],
        },
        {
          role: "tool",
          tool_call_id: "call_1",
          content: [
            { type: "text", text: '{"radar":"attached"}' },
            { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
            { type: "image_url", image_url: { url: "https://example.com/radar.webp" } },
          ],
        },
      ],
    });
    expect(warnings).toEqual([]);
    expect(native.contents.at(-1)).toEqual({
      role: "user",
      parts: [
        {
          functionResponse: {
            name: "weather",
            response: { radar: "attached" },
            parts: [
              { inlineData: { mimeType: "image/png", data: "iVBORw0KGgo=" } },
              { fileData: { fileUri: "https://example.com/radar.webp", mimeType: "image/webp" } },
            ],
          },
        },
      ],
    });
  });

  test("a tool result part that cannot be sent is named in a warning, not dropped silently", () => {
    const { native, warnings } = translate({
      messages: [
        { role: "user", content: "x" },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "call_1", type: "function", function: { name: "weather", arguments: "{}" } }],
        },
        {
          role: "tool",
          tool_call_id: "call_1",
          content: [
            { type: "text", text: "done" },
            { type: "image_url", image_url: { url: "ftp://example.com/a.png" } },
          ],
        },
      ],
    });
    expect(native.contents.at(-1)?.parts).toEqual([
      { functionResponse: { name: "weather", response: { result: "done" } } },
    ]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("image URL");
  });
});

describe("Gemini call ids on the way back", () => {
  test("an id Gemini gave goes back as functionCall.id and functionResponse.id; ours and others' do not", () => {
    const fromGemini = encodeToolCallId(
      toolCallBaseId("fc_8d1", () => "unused"),
      "c2ln",
    );
    const { native, warnings } = translate({
      tools: [weatherTool],
      messages: [
        { role: "user", content: "Paris, Rome and Oslo?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            {
              id: fromGemini,
              type: "function",
              function: { name: "weather", arguments: '{"location":"Paris"}' },
            },
            {
              id: "call_0f3a",
              type: "function",
              function: { name: "weather", arguments: '{"location":"Rome"}' },
            },
            {
              id: "toolu_01A",
              type: "function",
              function: { name: "weather", arguments: '{"location":"Oslo"}' },
            },
          ],
        },
        { role: "tool", tool_call_id: fromGemini, content: "sunny" },
        { role: "tool", tool_call_id: "call_0f3a", content: "rain" },
        { role: "tool", tool_call_id: "toolu_01A", content: "snow" },
      ],
    });
    expect(warnings).toEqual([]);
    expect(native.contents.slice(1)).toEqual([
      {
        role: "model",
        parts: [
          {
            functionCall: { name: "weather", args: { location: "Paris" }, id: "fc_8d1" },
            thoughtSignature: "c2ln",
          },
          { functionCall: { name: "weather", args: { location: "Rome" } } },
          { functionCall: { name: "weather", args: { location: "Oslo" } } },
        ],
      },
      {
        role: "user",
        parts: [
          { functionResponse: { name: "weather", response: { result: "sunny" }, id: "fc_8d1" } },
          { functionResponse: { name: "weather", response: { result: "rain" } } },
          { functionResponse: { name: "weather", response: { result: "snow" } } },
        ],
      },
    ]);
  });

  test("only ids with the Gemini prefix and a valid encoding decode", () => {
    expect(geminiIdFromToolCallId(toolCallBaseId("id with spaces/ü", () => "x"))).toBe("id with spaces/ü");
    expect(toolCallBaseId(undefined, () => "call_9")).toBe("call_9");
    expect(geminiIdFromToolCallId("call_abc__gts_c2ln")).toBeUndefined();
    expect(geminiIdFromToolCallId("gcall_")).toBeUndefined();
    expect(geminiIdFromToolCallId("gcall_a")).toBeUndefined();
    expect(geminiIdFromToolCallId("gcall_a.b")).toBeUndefined();
  });
});
