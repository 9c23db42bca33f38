// The canonical content model: what a message or an answer holds, rich enough that no client dialect loses anything
// (thinking with signatures, cache hints, tool ids, server tools, images and documents).
//
// Every client dialect translates to and from these shapes, and every provider translates them to and from its
// own wire format; nothing in routing or a provider folder reads a dialect's shapes directly.

/** A prompt-cache breakpoint after this block (Anthropic cache_control; other providers ignore it, with a warning). */
export interface CacheHint {
  /** Anthropic: "5m" (default) or "1h". */
  ttl?: string;
}

/** Where an image's or a document's bytes are. */
export type MediaSource =
  | { type: "url"; url: string }
  | { type: "base64"; mediaType: string; data: string }
  /** An id in the provider's file store (OpenAI file_id, Anthropic Files API, a Gemini file URI). */
  | { type: "file"; fileId: string; mediaType?: string };

export interface TextBlock {
  type: "text";
  text: string;
  cache?: CacheHint;
  /** Citations as the provider gave them (Anthropic citations, OpenAI annotations): carried, not interpreted. */
  citations?: unknown[];
}

export interface ImageBlock {
  type: "image";
  source: MediaSource;
  /** OpenAI's detail hint. */
  detail?: string;
  cache?: CacheHint;
}

export interface DocumentBlock {
  type: "document";
  source: MediaSource;
  title?: string;
  filename?: string;
  cache?: CacheHint;
  /** Where the client's request has it (`messages[1].content[0]`), for an error that names it; never sent on. */
  at?: string;
}

export interface AudioBlock {
  type: "audio";
  /** Base64 bytes. */
  data: string;
  /** "wav", "mp3"... */
  format: string;
}

/**
 * Model reasoning. `signature` proves the text unaltered (Anthropic) and must come back with it for a tool loop to
 * continue; `origin` names whose signature it is, so a block is only ever sent back to the family that made it.
 */
export interface ThinkingBlock {
  type: "thinking";
  text: string;
  signature?: string;
  origin?: string;
}

/** Reasoning the provider returned encrypted (Anthropic redacted_thinking, OpenAI encrypted reasoning). */
export interface RedactedThinkingBlock {
  type: "redacted_thinking";
  data: string;
  origin?: string;
}

/** A call of a client-side tool (a function the client runs). */
export interface ToolCallBlock {
  type: "tool_call";
  id: string;
  name: string;
  /** The arguments as JSON text, as the model wrote them. */
  arguments: string;
  /** Gemini's thought signature on a function call, which must come back with it. */
  signature?: string;
}

/** The client's answer to a tool call. */
export interface ToolResultBlock {
  type: "tool_result";
  callId: string;
  /** The tool's name, where the client said it (Gemini pairs results by name). */
  name?: string;
  content: Array<TextBlock | ImageBlock | DocumentBlock>;
  isError?: boolean;
  cache?: CacheHint;
}

/** A tool the provider ran itself (Anthropic web_search server_tool_use, OpenAI web_search_call). */
export interface ServerToolCallBlock {
  type: "server_tool_call";
  id: string;
  name: string;
  input: unknown;
}

/** The result of a server tool, in the provider's own shape (`resultType` names it, e.g. web_search_tool_result). */
export interface ServerToolResultBlock {
  type: "server_tool_result";
  callId: string;
  resultType: string;
  content: unknown;
}

/** The model declined (OpenAI refusal). */
export interface RefusalBlock {
  type: "refusal";
  text: string;
}

export type ContentBlock =
  | TextBlock
  | ImageBlock
  | DocumentBlock
  | AudioBlock
  | ThinkingBlock
  | RedactedThinkingBlock
  | ToolCallBlock
  | ToolResultBlock
  | ServerToolCallBlock
  | ServerToolResultBlock
  | RefusalBlock;

/**
 * One turn. Tool results are blocks of a user turn (as Anthropic has them); a dialect with a role of its own for
 * them (OpenAI's "tool" messages, Responses' function_call_output items) maps them there and back.
 */
export interface Message {
  role: "user" | "assistant";
  content: ContentBlock[];
  /** A participant's name (OpenAI `name`). */
  name?: string;
}
