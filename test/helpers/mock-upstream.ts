// A scriptable mock upstream on 127.0.0.1: records every request, answers from a handler, can inject faults.
import { readFileSync } from "node:fs";
import { join } from "node:path";

export interface RecordedRequest {
  method: string;
  path: string;
  search: string;
  headers: Headers;
  body: unknown;
}

export type MockHandler = (request: RecordedRequest, count: number) => Response | Promise<Response>;

export interface MockUpstream {
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Replaces the handler (tests script each scenario). */
  handle(handler: MockHandler): void;
  stop(): Promise<void>;
}

/** The upstream's request number `index`, its body typed as the test expects; throws when there is none. */
export function requestAt<Body>(upstream: MockUpstream, index: number): RecordedRequest & { body: Body } {
  const request = upstream.requests[index];
  if (!request) throw new Error(`the upstream received no request #${index}`);
  return request as RecordedRequest & { body: Body };
}

export function startMock(initial: MockHandler): MockUpstream {
  let handler = initial;
  const requests: RecordedRequest[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 0,
    async fetch(request) {
      const url = new URL(request.url);
      const text = request.method === "GET" ? "" : await request.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // keep the raw text
      }
      const recorded = {
        method: request.method,
        path: url.pathname,
        search: url.search,
        headers: request.headers,
        body,
      };
      requests.push(recorded);
      return handler(recorded, requests.length);
    },
  });
  const port = server.port ?? 0;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    handle(next) {
      handler = next;
    },
    async stop() {
      await server.stop(true);
    },
  };
}

export function fixture(provider: string, name: string): string {
  return readFileSync(
    join(import.meta.dir, "..", "..", "src", "providers", provider, "__fixtures__", name),
    "utf8",
  );
}

export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return new Response(text, { status, headers: { "content-type": "application/json", ...headers } });
}

export interface SSEOptions {
  /** Delay before each event, in ms. */
  delayMs?: number;
  /** Stop after this many events without ending cleanly (a cut). */
  cutAfter?: number;
  /** After this many events, go silent (a stall) without closing. */
  stallAfter?: number;
  /** Wait this long before the first byte of the body (a slow first token). */
  firstDelayMs?: number;
  contentType?: string;
}

/** Splits an SSE body into events, keeping each event's bytes as recorded. */
export function sseEventsOf(text: string): string[] {
  return text.split(/(?<=\r?\n\r?\n)/).filter((event) => event.trim() !== "");
}

/** Streams the events with optional delays, a cut (connection closes mid-answer) or a stall. */
export function sseResponse(events: string[], options: SSEOptions = {}): Response {
  const encoder = new TextEncoder();
  let index = 0;
  let headersSent = false;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (index === 0 && options.firstDelayMs && !headersSent) {
        // An SSE comment gets the headers out at once; then the first event is late, as with a thinking model.
        headersSent = true;
        controller.enqueue(encoder.encode(": waiting\n\n"));
        return;
      }
      if (index === 0 && options.firstDelayMs) await Bun.sleep(options.firstDelayMs);
      if (options.cutAfter !== undefined && index >= options.cutAfter) {
        // Let what was sent reach the wire first, so the cut falls after content, as in real life.
        await Bun.sleep(100);
        controller.error(new Error("cut"));
        return;
      }
      if (options.stallAfter !== undefined && index >= options.stallAfter) {
        await Bun.sleep(600_000);
        return;
      }
      const event = events[index];
      index += 1;
      if (event === undefined) {
        controller.close();
        return;
      }
      if (options.delayMs) await Bun.sleep(options.delayMs);
      controller.enqueue(encoder.encode(event));
    },
  });
  return new Response(stream, { headers: { "content-type": options.contentType ?? "text/event-stream" } });
}

/** `.chunks.jsonl` fixtures hold one data payload per line; this makes them SSE events. */
export function jsonlToSSE(text: string): string[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => `data: ${line}\n\n`);
}
