// Test support for every provider suite (unit and end to end): recorded fixtures, bodies, drain, a mock upstream.
// Imported by tests only. Fixtures are the recorded traffic of ../shared/fixtures copied into each provider's
// __fixtures__ folder (PROVENANCE.md there says where each came from and in which form).
import { readFileSync } from "node:fs";
import type { IdSource, PullReader } from "./types.ts";

export * from "./mock-upstream.ts";

export type ProviderFolder = "openai" | "anthropic" | "google" | "ollama";

function fixturePath(provider: ProviderFolder, name: string): URL {
  return new URL(`./${provider}/__fixtures__/${name}`, import.meta.url);
}

export function fixtureText(provider: ProviderFolder, name: string): string {
  return readFileSync(fixturePath(provider, name), "utf8");
}

export function fixtureBytes(provider: ProviderFolder, name: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(readFileSync(fixturePath(provider, name)));
}

export function fixtureJson(provider: ProviderFolder, name: string): unknown {
  return JSON.parse(fixtureText(provider, name));
}

/**
 * The events of a recorded stream, parsed independently of any translator under test, in any recorded form: .sse
 * (the data: payloads; [DONE] left out), .chunks.jsonl (one payload per line), .ndjson (one line each), and a
 * .json holding Gemini's JSON-array stream.
 */
export function fixtureEvents(provider: ProviderFolder, name: string): unknown[] {
  const text = fixtureText(provider, name);
  if (name.endsWith(".sse")) return ssePayloads(text);
  if (name.endsWith(".chunks.jsonl") || name.endsWith(".ndjson")) return jsonLines(text);
  const parsed: unknown = JSON.parse(text);
  return Array.isArray(parsed) ? parsed : [parsed];
}

/**
 * A recorded stream as an SSE body: a .sse as recorded, byte for byte; any other form (PROVENANCE.md) with each
 * recorded event's JSON as one `data:` event, separated by `separator` (Gemini's API sends CRLF CRLF).
 */
export function fixtureSse(provider: ProviderFolder, name: string, separator = "\n\n"): string {
  if (name.endsWith(".sse")) return fixtureText(provider, name);
  const text = fixtureText(provider, name);
  const payloads = name.endsWith(".chunks.jsonl")
    ? text.split("\n").filter((line) => line.trim() !== "")
    : fixtureEvents(provider, name).map((event) => JSON.stringify(event));
  return payloads.map((payload) => `data: ${payload}${separator}`).join("");
}

/** A recorded raw HTTP response (langchaingo's httprr .http): status, headers and body as they were on the wire. */
export function fixtureHttp(
  provider: ProviderFolder,
  name: string,
): { status: number; headers: Headers; body: string } {
  const text = fixtureText(provider, name);
  const crlf = text.indexOf("\r\n\r\n");
  const split = crlf >= 0 ? crlf : text.indexOf("\n\n");
  const [statusLine = "", ...lines] = text.slice(0, split).split(/\r?\n/);
  const headers = new Headers();
  for (const line of lines) {
    const colon = line.indexOf(":");
    // The recorded length is that of the chunked wire body; a replay sets its own.
    const name = line.slice(0, colon).trim();
    if (name.toLowerCase() !== "content-length") headers.append(name, line.slice(colon + 1).trim());
  }
  return { status: Number(statusLine.split(" ")[1]), headers, body: text.slice(split).trim() };
}

/** The `data:` payloads of an SSE text, parsed independently of any translator under test ([DONE] left out). */
export function ssePayloads(sse: string): Array<Record<string, unknown>> {
  return sse
    .split(/\r?\n/)
    .filter((line) => line.startsWith("data:") && line.slice(5).trim() !== "[DONE]")
    .map((line) => JSON.parse(line.slice("data:".length)) as Record<string, unknown>);
}

/** The JSON of each non-empty line. */
export function jsonLines(text: string): unknown[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line));
}

export interface BodyOptions {
  /** Bytes per read (events and UTF-8 characters split across reads, as on a socket); all at once when unset. */
  pieceSize?: number;
  /** Shortly after the last piece, the body errors with this (a connection lost mid-body) instead of ending. */
  failWith?: unknown;
  /** A pause after each piece, so that a mock sends each in a network read of its own. */
  paceMs?: number;
}

/** A body of the given text, bytes or pieces (one read each). */
export function bodyOf(
  content: string | Uint8Array | string[],
  options: BodyOptions = {},
): ReadableStream<Uint8Array<ArrayBuffer>> {
  const encoder = new TextEncoder();
  const pieces: Uint8Array<ArrayBuffer>[] = [];
  if (Array.isArray(content)) pieces.push(...content.map((piece) => encoder.encode(piece)));
  else {
    const bytes = typeof content === "string" ? encoder.encode(content) : new Uint8Array(content);
    const size = options.pieceSize ?? Math.max(bytes.length, 1);
    for (let at = 0; at < bytes.length; at += size) pieces.push(bytes.slice(at, at + size));
  }
  return new ReadableStream({
    async pull(controller) {
      const next = pieces.shift();
      if (next) {
        controller.enqueue(next);
        if (options.paceMs) await Bun.sleep(options.paceMs);
      } else if (options.failWith === undefined) controller.close();
      else {
        // Served by a mock, the pieces sent must reach the wire (headers and all) before the connection drops.
        await Bun.sleep(10);
        controller.error(options.failWith);
      }
    },
  });
}

/** Reads a stream (or a pull reader's source) to its end; `error` is what it errored with, if it did. */
export async function drain<T>(stream: {
  getReader(): PullReader<T>;
}): Promise<{ items: T[]; error?: unknown }> {
  const items: T[] = [];
  const reader = stream.getReader();
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) return { items };
      items.push(next.value);
    }
  } catch (error) {
    return { items, error };
  }
}

/** Deterministic ids for tests: prefix + a counter shared by all prefixes. */
export function counterIds(): IdSource {
  let count = 0;
  return (prefix) => `${prefix}${++count}`;
}

/** The rejection of a promise that the test expects to fail. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}
