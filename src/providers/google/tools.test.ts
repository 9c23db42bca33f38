// Canonical tools and tool choice -> Gemini functionDeclarations and toolConfig (through the request translator).
import { describe, expect, test } from "bun:test";
import { plain, translate, weatherTool } from "./request-testing.ts";

describe("tools", () => {
  test("tool_choice none / required / named", () => {
    const config = (choice: unknown) =>
      translate({ tools: [weatherTool], tool_choice: choice, messages: [{ role: "user", content: "x" }] })
        .native.toolConfig;
    expect(plain(config("none"))).toEqual({ functionCallingConfig: { mode: "NONE" } });
    expect(plain(config("required"))).toEqual({ functionCallingConfig: { mode: "ANY" } });
    expect(plain(config({ type: "function", function: { name: "weather" } }))).toEqual({
      functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["weather"] },
    });
  });

  test("tool schemas are cleaned of keywords Gemini rejects, with one warning per tool", () => {
    const { native, warnings } = translate({
      messages: [{ role: "user", content: "x" }],
      parallel_tool_calls: false,
      tools: [
        {
          type: "function",
          function: {
            name: "search",
            strict: true,
            parameters: {
              $schema: "http://json-schema.org/draft-07/schema#",
              type: "object",
              additionalProperties: false,
              $defs: { Filter: { type: "object", properties: { tag: { type: "string", format: "uri" } } } },
              properties: {
                query: { type: ["string", "null"], minLength: 1, description: "text" },
                mode: { const: "fast" },
                level: { enum: [1, 2] },
                filter: { $ref: "#/$defs/Filter" },
                tags: { type: "array", items: { type: "string" }, maxItems: 5 },
                when: { type: "string", format: "date-time" },
                limit: {
                  anyOf: [{ type: "integer", minimum: 1 }, { type: "null" }],
                  description: "max hits",
                },
                either: { anyOf: [{ type: "string" }, { type: "number" }] },
              },
              required: ["query"],
            },
          },
        },
        { type: "function", function: { name: "ping", parameters: { type: "object", properties: {} } } },
      ],
    });
    expect(plain(native.tools)).toEqual([
      {
        functionDeclarations: [
          {
            name: "search",
            parameters: {
              type: "OBJECT",
              properties: {
                query: { type: "STRING", nullable: true, minLength: "1", description: "text" },
                mode: { type: "STRING", enum: ["fast"] },
                level: { type: "INTEGER" },
                filter: { type: "OBJECT", properties: { tag: { type: "STRING" } } },
                tags: { type: "ARRAY", items: { type: "STRING" }, maxItems: "5" },
                when: { type: "STRING", format: "date-time" },
                limit: { type: "INTEGER", minimum: 1, nullable: true, description: "max hits" },
                either: { anyOf: [{ type: "STRING" }, { type: "NUMBER" }] },
              },
              required: ["query"],
            },
          },
          { name: "ping" },
        ],
      },
    ]);
    expect(warnings).toEqual([
      "Tool 'search': JSON Schema keywords Gemini rejects were removed: $schema, additionalProperties, enum (non-string values), format \"uri\".",
      "Strict function schemas are not enforced by Gemini; 'strict' was ignored.",
      "parallel_tool_calls=false has no Gemini equivalent; the model may still call several tools.",
    ]);
  });

  test("tool_choice without tools is dropped with a warning, never silently", () => {
    const { warnings } = translate({ messages: [{ role: "user", content: "hi" }], tool_choice: "required" });
    expect(warnings).toContain("tool_choice was dropped: the request has no tools.");
    expect(translate({ messages: [{ role: "user", content: "hi" }], tool_choice: "none" }).warnings).toEqual(
      [],
    );
  });
});
