// Test helpers: read the recorded Gemini traffic in __fixtures__ and run streams to completion.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { sseEvents } from "../sse.ts";

export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`./__fixtures__/${name}`, import.meta.url));
}

export function fixtureText(name: string): string {
  return readFileSync(fixturePath(name), "utf8");
}

export function fixtureJson(name: string): unknown {
  return JSON.parse(fixtureText(name));
}

/** The events of a recorded stream, in any of the three recorded forms (.sse, .chunks.jsonl, JSON array). */
export async function fixtureEvents(name: string): Promise<unknown[]> {
  const text = fixtureText(name);
  if (name.endsWith(".chunks.jsonl")) {
    return text
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line));
  }
  if (name.endsWith(".sse")) {
    const events: unknown[] = [];
    for await (const event of sseEvents(new Blob([text]).stream())) events.push(JSON.parse(event.data));
    return events;
  }
  const parsed: unknown = JSON.parse(text);
  return Array.isArray(parsed) ? parsed : [parsed];
}

/** A recorded stream as SSE bytes the way the Gemini API sends it (alt=sse). */
export async function fixtureAsSse(name: string): Promise<string> {
  if (name.endsWith(".sse")) return fixtureText(name);
  const events = await fixtureEvents(name);
  return events.map((event) => `data: ${JSON.stringify(event)}\r\n\r\n`).join("");
}

export function streamOf<T>(items: T[]): ReadableStream<T> {
  return new ReadableStream<T>({
    start(controller) {
      for (const item of items) controller.enqueue(item);
      controller.close();
    },
  });
}

export { drain } from "../testing.ts";

/** Deterministic ids for tests: prefix + counter. */
export function counterIds(): (prefix: string) => string {
  let count = 0;
  return (prefix) => `${prefix}${++count}`;
}
