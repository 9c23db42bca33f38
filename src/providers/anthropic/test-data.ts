// Test data of the Anthropic folder that no recording holds, request building and stream replay (imported by tests
// only); fixture loading, bodies and drain come from the one test-support module (../testing.ts).
import { chatRequestSchema } from "../../api/chat.ts";
import { chatToCanonical } from "../../api/openai-chat/to-canonical.ts";
import type { ContentBlock, Message } from "../../canonical/content.ts";
import { type CanonicalRequest, emptyRequest } from "../../canonical/request.ts";
import type { StreamEvent, StreamFrame } from "../../canonical/stream.ts";
import { silentLogger } from "../../log/logger.ts";
import { readEventStream } from "../event-stream.ts";
import { bodyOf, drain } from "../testing.ts";
import type { PullReader } from "../types.ts";
import { toAnthropicRequest } from "./request.ts";
import { anthropicStreamTransformer, type StreamContext } from "./stream.ts";

/** Anthropic's documented error envelope (https://docs.anthropic.com/en/api/errors); no 429/529 was recorded. */
export const documentedError = (type: string, message: string) =>
  JSON.stringify({ type: "error", error: { type, message }, request_id: "req_test" });

// ModelInfo list shape: https://docs.anthropic.com/en/api/models-list (no list was recorded)
export const MODELS_PAGE = {
  data: [
    {
      type: "model",
      id: "claude-sonnet-4-5-20250929",
      display_name: "Claude Sonnet 4.5",
      created_at: "2025-09-29T00:00:00Z",
    },
    {
      type: "model",
      id: "claude-haiku-4-5-20251001",
      display_name: "Claude Haiku 4.5",
      created_at: "2025-10-01T00:00:00Z",
    },
  ],
  has_more: false,
  first_id: "claude-sonnet-4-5-20250929",
  last_id: "claude-haiku-4-5-20251001",
};

export const STREAM_DEFAULTS: StreamContext = {
  providerId: "claude",
  newId: (prefix) => `${prefix}minted`,
  created: 1_700_000_000,
  keySource: "configured",
  logger: silentLogger,
};

export interface Replay {
  frames: StreamFrame[];
  /** The frames' events, in order. */
  events: StreamEvent[];
  error: unknown;
}

/** A frame stream's frames, to its end or its error. */
export async function framesOf(stream: { getReader(): PullReader<StreamFrame> }): Promise<Replay> {
  const { items, error } = await drain<StreamFrame>(stream);
  return { frames: items, events: items.flatMap((frame) => frame.events), error };
}

/** An SSE text through the shared reader and the Anthropic translator. */
export function replaySse(sse: string, options: Partial<StreamContext> = {}): Promise<Replay> {
  const translator = anthropicStreamTransformer({ ...STREAM_DEFAULTS, ...options });
  const stream = readEventStream(bodyOf(sse), "sse", translator, {
    providerId: STREAM_DEFAULTS.providerId,
    signal: new AbortController().signal,
  });
  return framesOf(stream);
}

/** The text of every text delta (or thinking delta), joined. */
export function joined(events: StreamEvent[], kind: "text" | "thinking"): string {
  let text = "";
  for (const event of events) {
    if (event.type === "block_delta" && event.delta.type === kind) text += event.delta.text;
  }
  return text;
}

/** What an OpenAI Chat client's request becomes (src/api/openai-chat), as the adapter receives it. */
export function fromChat(fields: Record<string, unknown>): CanonicalRequest {
  return chatToCanonical(chatRequestSchema.parse({ model: "claude/sonnet", max_tokens: 100, ...fields }));
}

export interface RequestExtra {
  configuredMaxTokens?: number;
  prefill?: string;
  model?: string;
}

/** An OpenAI Chat request's fields, translated for claude-sonnet-4-5. */
export function translateChat(fields: Record<string, unknown>, extra: RequestExtra = {}) {
  return toAnthropicRequest({ request: fromChat(fields), model: "claude-sonnet-4-5", ...extra });
}

/** A canonical request of the given turns (what no OpenAI Chat request can say: cache hints, documents...). */
export function translateTurns(messages: Message[], fields: Partial<CanonicalRequest> = {}) {
  const request: CanonicalRequest = { ...emptyRequest(messages), maxOutputTokens: 100, ...fields };
  return toAnthropicRequest({ request, model: "claude-sonnet-4-5" });
}

export const user = (...content: ContentBlock[]): Message => ({ role: "user", content });
export const assistant = (...content: ContentBlock[]): Message => ({ role: "assistant", content });
