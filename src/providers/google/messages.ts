// Pure: canonical system text and turns -> Gemini `systemInstruction` parts and `contents`.
// Content/Part shapes: https://ai.google.dev/api/caching#Content ; function calling turns:
// https://ai.google.dev/gemini-api/docs/function-calling ; signatures: https://ai.google.dev/gemini-api/docs/thought-signatures
import type { Content, FunctionResponse, FunctionResponsePart, Part } from "@google/genai";
import type {
  ContentBlock,
  Message,
  TextBlock,
  ThinkingBlock,
  ToolCallBlock,
  ToolResultBlock,
} from "../../canonical/content.ts";
import { type MediaNotices, mediaPart, mediaWarnings } from "./media.ts";
import { GOOGLE_ORIGIN } from "./origin.ts";
import { geminiIdFromToolCallId, SKIP_SIGNATURE, signatureFromToolCallId } from "./tool-ids.ts";

/** What the previous content came from: consecutive turns of the same kind are merged into one content. */
type TurnKind = "user" | "model" | "tool";

export interface TranslatedMessages {
  contents: Content[];
  systemParts: Part[];
  /** Some block asked for a prompt-cache breakpoint (reported once, with the tools', by request.ts). */
  cacheHinted: boolean;
}

/** Losses reported once per request however often they occur, so that one long conversation is one warning. */
interface Notices extends MediaNotices {
  name: boolean;
  cache: boolean;
  foreignThinking: boolean;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function dropped(block: ContentBlock, warnings: string[]): void {
  warnings.push(`A '${block.type}' content part was dropped (not supported by the Gemini translation).`);
}

/** A text block as a part; Gemini rejects empty text parts, so those are left out. */
function textPart(block: TextBlock, notices: Notices): Part | undefined {
  if (block.cache) notices.cache = true;
  return block.text === "" ? undefined : { text: block.text };
}

function parseArguments(call: ToolCallBlock, warnings: string[]): Record<string, unknown> {
  const text = call.arguments.trim();
  if (text === "") return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (isRecord(parsed)) return parsed;
  } catch {
    // falls through to the warning
  }
  warnings.push(`Tool call '${call.name}' had arguments that are not a JSON object; sent as {}.`);
  return {};
}

/** A tool call -> functionCall, with Gemini's own call id and the signature (the block's, else our id's). */
function functionCallPart(call: ToolCallBlock, warnings: string[]): Part {
  const functionCall: NonNullable<Part["functionCall"]> = {
    name: call.name,
    args: parseArguments(call, warnings),
  };
  // Only an id Gemini gave is sent back as its own; ids we (or another provider) minted are not Gemini's.
  const geminiId = geminiIdFromToolCallId(call.id);
  if (geminiId) functionCall.id = geminiId;
  const part: Part = { functionCall };
  const signature = call.signature ?? signatureFromToolCallId(call.id);
  if (signature) part.thoughtSignature = signature;
  return part;
}

/**
 * A thinking block of a model turn. Gemini's own signed thought goes back as the thought part it was, signature
 * and all. An unsigned one is a thought summary: display text, while the model's reasoning state travels in the
 * signature, so it is not sent (as before the canonical model, and without a warning on every thinking turn).
 * Another provider's signed reasoning cannot be verified by Gemini: left out, with a warning.
 */
function thoughtPart(block: ThinkingBlock, notices: Notices): Part | undefined {
  if (block.signature === undefined || block.signature === "") return undefined;
  if (block.origin !== GOOGLE_ORIGIN) {
    notices.foreignThinking = true;
    return undefined;
  }
  return { text: block.text, thought: true, thoughtSignature: block.signature };
}

/** A model turn's parts, in the order of its blocks. */
function modelParts(message: Message, warnings: string[], notices: Notices): Part[] {
  const parts: Part[] = [];
  let firstCall: Part | undefined;
  let signed = false;
  for (const block of message.content) {
    let part: Part | undefined;
    switch (block.type) {
      case "text":
        part = textPart(block, notices);
        break;
      case "refusal":
        // The model's own words declining: Gemini has no refusal part, and as text the turn stays whole.
        part = block.text === "" ? undefined : { text: block.text };
        break;
      case "thinking":
        part = thoughtPart(block, notices);
        break;
      case "redacted_thinking":
        // Gemini never returns encrypted reasoning: this is another provider's.
        notices.foreignThinking = true;
        break;
      case "tool_call":
        part = functionCallPart(block, warnings);
        firstCall ??= part;
        if (part.thoughtSignature) signed = true;
        break;
      case "image":
      case "document":
      case "audio":
        part = mediaPart(block, warnings, notices);
        break;
      default:
        dropped(block, warnings);
    }
    if (part) parts.push(part);
  }
  // Only the first call of a parallel set carries a signature; Gemini 3 rejects the turn if it has none.
  if (firstCall && !signed) firstCall.thoughtSignature = SKIP_SIGNATURE;
  return parts;
}

/** A tool result's text as functionResponse.response, which must be a JSON object. */
function resultValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * A tool result -> functionResponse: its text as `response` (the "error" key for a failed call, as
 * FunctionResponse.response documents it: https://ai.google.dev/api/caching#FunctionResponse), its images and
 * files as `parts` (https://ai.google.dev/gemini-api/docs/function-calling#multimodal).
 */
function functionResponse(
  name: string,
  result: ToolResultBlock,
  warnings: string[],
  notices: Notices,
): FunctionResponse {
  if (result.cache) notices.cache = true;
  let text = "";
  const media: FunctionResponsePart[] = [];
  for (const block of result.content) {
    if (block.type === "text") {
      if (block.cache) notices.cache = true;
      text += block.text;
      continue;
    }
    const part = mediaPart(block, warnings, notices);
    if (part?.inlineData) media.push({ inlineData: part.inlineData });
    else if (part?.fileData) media.push({ fileData: part.fileData });
  }
  const value = resultValue(text);
  const response: FunctionResponse = {
    name,
    response: result.isError ? { error: value } : isRecord(value) ? value : { result: value },
  };
  if (media.length > 0) response.parts = media;
  // Only an id Gemini gave is sent back as its own (see tool-ids.ts).
  const geminiId = geminiIdFromToolCallId(result.callId);
  if (geminiId) response.id = geminiId;
  return response;
}

class ContentBuilder {
  readonly contents: Content[] = [];
  private lastKind: TurnKind | undefined;
  private lastParts: Part[] = [];
  /** For the current tool turn: the position, among the model's calls, of the call each result answers. */
  private resultPositions: number[] = [];

  /** Adds parts (an array the builder may keep) to the current content, or starts one. */
  push(kind: TurnKind, parts: Part[]): void {
    if (parts.length === 0) return;
    if (this.lastKind === kind) {
      this.lastParts.push(...parts);
      return;
    }
    this.contents.push({ role: kind === "model" ? "model" : "user", parts });
    this.lastKind = kind;
    this.lastParts = parts;
  }

  /**
   * Adds a functionResponse in the order of the calls it answers, whatever order the client sent the results
   * in: Gemini pairs calls of the same function with their results by position.
   */
  pushResult(position: number, part: Part): void {
    if (this.lastKind !== "tool") {
      this.push("tool", [part]);
      this.resultPositions = [position];
      return;
    }
    const later = this.resultPositions.findIndex((other) => other > position);
    const at = later < 0 ? this.resultPositions.length : later;
    this.resultPositions.splice(at, 0, position);
    this.lastParts.splice(at, 0, part);
  }
}

/** The calls of the last model turn, which the tool results that follow answer. */
interface PendingCalls {
  calls: ToolCallBlock[];
  /** How many results have been read since that turn. */
  answered: number;
  namesById: Map<string, string>;
}

/**
 * A user turn: its text and media as user parts, its tool results as functionResponse parts in a content of their
 * own. A result is paired with its call by id (our ids are unique), falling back to the order of the calls in the
 * preceding model turn.
 */
function userTurn(
  message: Message,
  builder: ContentBuilder,
  pending: PendingCalls,
  warnings: string[],
  notices: Notices,
): void {
  let parts: Part[] = [];
  for (const block of message.content) {
    let part: Part | undefined;
    switch (block.type) {
      case "text":
        part = textPart(block, notices);
        break;
      case "image":
      case "document":
      case "audio":
        part = mediaPart(block, warnings, notices);
        break;
      case "tool_result": {
        builder.push("user", parts);
        parts = [];
        const index = pending.answered++;
        const name = pending.namesById.get(block.callId) ?? block.name ?? pending.calls[index]?.name;
        if (!name) {
          warnings.push(
            `A tool result (tool_call_id '${block.callId}') matched no earlier tool call and was dropped.`,
          );
          break;
        }
        const called = pending.calls.findIndex((call) => call.id === block.callId);
        builder.pushResult(called >= 0 ? called : index, {
          functionResponse: functionResponse(name, block, warnings, notices),
        });
        break;
      }
      default:
        dropped(block, warnings);
    }
    if (part) parts.push(part);
  }
  builder.push("user", parts);
}

/** System text -> systemInstruction parts (text only, as canonical system prompts are). */
function systemParts(system: TextBlock[], notices: Notices): Part[] {
  const parts: Part[] = [];
  for (const block of system) {
    const part = textPart(block, notices);
    if (part) parts.push(part);
  }
  return parts;
}

export function toGeminiContents(
  system: TextBlock[],
  messages: Message[],
  prefill: string | undefined,
  warnings: string[],
): TranslatedMessages {
  const notices: Notices = { name: false, cache: false, foreignThinking: false, detail: false, title: false };
  const instruction = systemParts(system, notices);
  const builder = new ContentBuilder();
  const pending: PendingCalls = { calls: [], answered: 0, namesById: new Map() };
  for (const message of messages) {
    if (message.name) notices.name = true;
    if (message.role === "user") {
      userTurn(message, builder, pending, warnings, notices);
      continue;
    }
    builder.push("model", modelParts(message, warnings, notices));
    pending.calls = message.content.filter((block): block is ToolCallBlock => block.type === "tool_call");
    pending.answered = 0;
    for (const call of pending.calls) pending.namesById.set(call.id, call.name);
  }
  // A final model turn, as a continuation's prefill would be; Gemini answers anew from it rather than continuing
  // it, which is why the adapter declares no prefill capability and routing never asks it to continue.
  if (prefill) builder.push("model", [{ text: prefill }]);
  if (notices.name) warnings.push("Message 'name' fields have no Gemini equivalent and were dropped.");
  if (notices.foreignThinking) {
    warnings.push("Reasoning signed by another provider was not sent: Gemini cannot verify its signature.");
  }
  mediaWarnings(notices, warnings);
  return { contents: builder.contents, systemParts: instruction, cacheHinted: notices.cache };
}
