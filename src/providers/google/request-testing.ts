// Test support for the request translator's suites (imported by tests only): requests as a client sends them or
// written canonically, and the recorded function call answer they continue.
import { chatRequestSchema } from "../../api/chat.ts";
import { chatToCanonical } from "../../api/openai-chat/to-canonical.ts";
import type { Message } from "../../canonical/content.ts";
import { type CanonicalRequest, emptyRequest } from "../../canonical/request.ts";
import { counterIds, fixtureJson } from "../testing.ts";
import { toGeminiRequest } from "./request.ts";
import { toCanonicalResponse } from "./response.ts";
import { geminiResponseSchema } from "./wire.ts";

/** Widens SDK enum-typed values so they compare with plain JSON literals. */
export function plain(value: unknown): unknown {
  return value;
}

/** An OpenAI Chat body (the model filled in) as the Chat dialect reads it. */
export function canonicalOf(body: Record<string, unknown>): CanonicalRequest {
  return chatToCanonical(chatRequestSchema.parse({ model: "google/gemini-2.5-flash", ...body }));
}

/** An OpenAI Chat body through the Chat dialect and the Gemini request translator: the gateway's path. */
export function translate(body: Record<string, unknown>, prefill?: string) {
  return toGeminiRequest({ request: canonicalOf(body), model: "gemini-2.5-flash", prefill });
}

/** A canonical request (what only the canonical model carries) through the Gemini request translator. */
export function translateCanonical(fields: Partial<CanonicalRequest>, messages: Message[]) {
  return toGeminiRequest({ request: { ...emptyRequest(messages), ...fields }, model: "gemini-2.5-flash" });
}

const FUNCTION_CALL_FIXTURE = "generate-content-function-call.json";

/** The recorded function call answer, as the canonical answer the gateway made of it. */
export function recordedCallAnswer() {
  return toCanonicalResponse(geminiResponseSchema.parse(fixtureJson("google", FUNCTION_CALL_FIXTURE)), {
    providerId: "google",
    model: "gemini-3-pro-preview",
    clock: () => 0,
    newId: counterIds(),
  }).response;
}

/** The thoughtSignature of the recorded function call, read from the recording. */
export const RECORDED_SIGNATURE: string =
  geminiResponseSchema.parse(fixtureJson("google", FUNCTION_CALL_FIXTURE)).candidates?.[0]?.content
    ?.parts?.[0]?.thoughtSignature ?? "";

export const weatherTool = {
  type: "function",
  function: {
    name: "weather",
    description: "Weather for a city",
    parameters: { type: "object", properties: { location: { type: "string" } }, required: ["location"] },
  },
};
