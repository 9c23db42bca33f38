// Pure: our OpenAI messages -> Gemini `contents` and `systemInstruction` parts.
// Content/Part shapes: https://ai.google.dev/api/caching#Content ; function calling turns:
// https://ai.google.dev/gemini-api/docs/function-calling ; signatures: https://ai.google.dev/gemini-api/docs/thought-signatures
import type { Content, FunctionResponse, FunctionResponsePart, Part } from "@google/genai";
import { z } from "zod";
import type { ChatMessage, ContentPart, ToolCall } from "../../api/chat.ts";
import { geminiIdFromToolCallId, SKIP_SIGNATURE, signatureFromToolCallId } from "./tool-ids.ts";

type MessageContent = ChatMessage["content"];
/** What the previous content came from: consecutive messages of the same kind are merged into one turn. */
type TurnKind = "user" | "model" | "tool";

export interface TranslatedMessages {
  contents: Content[];
  systemParts: Part[];
}

const EXTENSION_MIME: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  webp: "image/webp",
  gif: "image/gif",
  heic: "image/heic",
  heif: "image/heif",
  pdf: "application/pdf",
};

function bytesToBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** An image URL as Gemini takes it: data: URLs inline, http(s) URLs by reference (fileData.fileUri). */
function urlPart(url: string, warnings: string[]): Part | undefined {
  const data = /^data:([^;,]*)((?:;[^;,]*)*?)(;base64)?,(.*)$/s.exec(url);
  if (data) {
    const mimeType = data[1] || "application/octet-stream";
    const payload = data[4] ?? "";
    const base64 = data[3] ? payload : bytesToBase64(new TextEncoder().encode(decodeURIComponent(payload)));
    return { inlineData: { mimeType, data: base64 } };
  }
  if (/^https?:\/\//i.test(url)) {
    const extension = /\.([a-z0-9]+)(?:[?#]|$)/i.exec(url)?.[1]?.toLowerCase();
    const mimeType = extension === undefined ? undefined : EXTENSION_MIME[extension];
    return { fileData: mimeType ? { fileUri: url, mimeType } : { fileUri: url } };
  }
  warnings.push("An image URL that is neither data: nor http(s) was dropped (Gemini cannot fetch it).");
  return undefined;
}

const inputAudioSchema = z.object({ input_audio: z.object({ data: z.string(), format: z.string() }) });
const filePartSchema = z.object({ file: z.object({ file_data: z.string().startsWith("data:") }) });
const imagePartSchema = z.object({ image_url: z.object({ url: z.string() }) });
const extraContentSchema = z.object({
  extra_content: z.object({ google: z.object({ thought_signature: z.string().min(1) }) }),
});

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function otherPart(part: ContentPart, warnings: string[]): Part | undefined {
  const audio = part.type === "input_audio" ? inputAudioSchema.safeParse(part) : undefined;
  if (audio?.success) {
    const { data, format } = audio.data.input_audio;
    return { inlineData: { mimeType: `audio/${format}`, data } };
  }
  const file = part.type === "file" ? filePartSchema.safeParse(part) : undefined;
  if (file?.success) return urlPart(file.data.file.file_data, warnings);
  warnings.push(`A '${part.type}' content part was dropped (not supported by the Gemini translation).`);
  return undefined;
}

function contentParts(content: MessageContent, warnings: string[]): Part[] {
  if (content === null || content === undefined) return [];
  // Gemini rejects empty text parts, so they are left out.
  if (typeof content === "string") return content === "" ? [] : [{ text: content }];
  const parts: Part[] = [];
  for (const part of content) {
    let translated: Part | undefined;
    if (part.type === "text" && typeof part.text === "string")
      translated = part.text === "" ? undefined : { text: part.text };
    else if (part.type === "image_url") {
      const image = imagePartSchema.safeParse(part);
      translated = image.success ? urlPart(image.data.image_url.url, warnings) : undefined;
    } else translated = otherPart(part, warnings);
    if (translated) parts.push(translated);
  }
  return parts;
}

/**
 * systemInstruction is sent as text only (Vertex documents it as text-only: "only text should be used in
 * parts", https://cloud.google.com/vertex-ai/generative-ai/docs/reference/rest/v1/projects.locations.endpoints/generateContent),
 * so a system message's images and files are dropped, with a warning.
 */
function systemTextParts(content: MessageContent, warnings: string[]): Part[] {
  const parts = contentParts(content, warnings);
  const text = parts.filter((part) => part.text !== undefined);
  if (text.length < parts.length) {
    warnings.push(
      "An image or file in a system message was dropped: Gemini's systemInstruction is sent as text only.",
    );
  }
  return text;
}

function contentText(content: MessageContent): string {
  if (content === null || content === undefined) return "";
  if (typeof content === "string") return content;
  return content
    .map((part) => (part.type === "text" && typeof part.text === "string" ? part.text : ""))
    .join("");
}

function parseArguments(call: ToolCall, warnings: string[]): Record<string, unknown> {
  const text = call.function.arguments.trim();
  if (text === "") return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (isRecord(parsed)) return parsed;
  } catch {
    // falls through to the warning
  }
  warnings.push(`Tool call '${call.function.name}' had arguments that are not a JSON object; sent as {}.`);
  return {};
}

/** The signature from our id encoding, or from Google's own OpenAI-layer field if the client kept that. */
function signatureOf(call: ToolCall): string | undefined {
  const fromId = signatureFromToolCallId(call.id);
  if (fromId) return fromId;
  const extra = extraContentSchema.safeParse(call);
  return extra.success ? extra.data.extra_content.google.thought_signature : undefined;
}

function functionCallParts(calls: ToolCall[], warnings: string[]): Part[] {
  const parts = calls.map((call): Part => {
    const part: Part = { functionCall: { name: call.function.name, args: parseArguments(call, warnings) } };
    // Only an id Gemini gave is sent back as its own; ids we (or another provider) minted are not Gemini's.
    const geminiId = geminiIdFromToolCallId(call.id);
    if (geminiId && part.functionCall) part.functionCall.id = geminiId;
    const signature = signatureOf(call);
    if (signature) part.thoughtSignature = signature;
    return part;
  });
  // Only the first call of a parallel set carries a signature; Gemini 3 rejects the turn if it has none.
  const first = parts[0];
  if (first && !parts.some((part) => part.thoughtSignature)) first.thoughtSignature = SKIP_SIGNATURE;
  return parts;
}

/** A tool result's text as functionResponse.response, which must be a JSON object. */
function toolResponse(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    return isRecord(parsed) ? parsed : { result: parsed };
  } catch {
    return { result: text };
  }
}

/**
 * A tool result -> functionResponse: its text as `response`, its images and files as `parts` (inline bytes or
 * a file URI; FunctionResponse.parts, https://ai.google.dev/gemini-api/docs/function-calling#multimodal).
 */
function functionResponse(
  name: string,
  content: MessageContent,
  toolCallId: string | undefined,
  warnings: string[],
): FunctionResponse {
  const text = contentText(content);
  const media: FunctionResponsePart[] = [];
  if (Array.isArray(content)) {
    const nonText = content.filter((part) => part.type !== "text");
    for (const part of contentParts(nonText, warnings)) {
      if (part.inlineData) media.push({ inlineData: part.inlineData });
      else if (part.fileData) media.push({ fileData: part.fileData });
    }
  }
  const response: FunctionResponse = { name, response: toolResponse(text) };
  if (media.length > 0) response.parts = media;
  // Only an id Gemini gave is sent back as its own (see tool-ids.ts).
  const geminiId = toolCallId === undefined ? undefined : geminiIdFromToolCallId(toolCallId);
  if (geminiId) response.id = geminiId;
  return response;
}

class ContentBuilder {
  readonly contents: Content[] = [];
  private lastKind: TurnKind | undefined;
  /** For the current tool turn: the position, among the model's calls, of the call each result answers. */
  private resultPositions: number[] = [];

  push(kind: TurnKind, parts: Part[]): void {
    if (parts.length === 0) return;
    const last = this.contents[this.contents.length - 1];
    if (last && this.lastKind === kind) {
      last.parts = [...(last.parts ?? []), ...parts];
      return;
    }
    this.contents.push({ role: kind === "model" ? "model" : "user", parts });
    this.lastKind = kind;
  }

  /**
   * Adds a functionResponse in the order of the calls it answers, whatever order the client sent the results
   * in: Gemini has no call ids, so it pairs calls of the same function with their results by position.
   */
  pushResult(position: number, part: Part): void {
    const last = this.contents[this.contents.length - 1];
    if (!last || this.lastKind !== "tool") {
      this.push("tool", [part]);
      this.resultPositions = [position];
      return;
    }
    const later = this.resultPositions.findIndex((other) => other > position);
    const at = later < 0 ? this.resultPositions.length : later;
    this.resultPositions.splice(at, 0, position);
    const parts = [...(last.parts ?? [])];
    parts.splice(at, 0, part);
    last.parts = parts;
  }
}

/**
 * Messages -> contents. Tool results are paired with their call by tool_call_id (our ids are unique),
 * falling back to the order of the calls in the preceding assistant message, and sent in the calls' order.
 */
export function toGeminiContents(
  messages: ChatMessage[],
  prefill: string | undefined,
  warnings: string[],
): TranslatedMessages {
  const builder = new ContentBuilder();
  const systemParts: Part[] = [];
  const namesById = new Map<string, string>();
  let pendingCalls: ToolCall[] = [];
  let resultIndex = 0;
  let movedSystem = false;
  let droppedName = false;
  for (const message of messages) {
    switch (message.role) {
      case "system":
      case "developer":
        if (builder.contents.length > 0 && !movedSystem) {
          movedSystem = true;
          warnings.push(
            "A system message after the conversation start was moved into Gemini's systemInstruction.",
          );
        }
        systemParts.push(...systemTextParts(message.content, warnings));
        break;
      case "user":
        if (message.name && !droppedName) {
          droppedName = true;
          warnings.push("Message 'name' fields have no Gemini equivalent and were dropped.");
        }
        builder.push("user", contentParts(message.content, warnings));
        break;
      case "assistant": {
        const calls = message.tool_calls ?? [];
        for (const call of calls) namesById.set(call.id, call.function.name);
        pendingCalls = calls;
        resultIndex = 0;
        builder.push("model", [
          ...contentParts(message.content, warnings),
          ...functionCallParts(calls, warnings),
        ]);
        break;
      }
      case "tool": {
        const name = namesById.get(message.tool_call_id) ?? pendingCalls[resultIndex]?.function.name;
        const called = pendingCalls.findIndex((call) => call.id === message.tool_call_id);
        const position = called >= 0 ? called : resultIndex;
        resultIndex += 1;
        if (!name) {
          warnings.push(
            `A tool result (tool_call_id '${message.tool_call_id}') matched no earlier tool call and was dropped.`,
          );
          break;
        }
        builder.pushResult(position, {
          functionResponse: functionResponse(name, message.content, message.tool_call_id, warnings),
        });
        break;
      }
      case "function":
        builder.pushResult(Number.MAX_SAFE_INTEGER, {
          functionResponse: functionResponse(message.name, message.content, undefined, warnings),
        });
        break;
    }
  }
  // The model continues a final model turn (used to resume a cut stream).
  if (prefill) builder.push("model", [{ text: prefill }]);
  return { contents: builder.contents, systemParts };
}
