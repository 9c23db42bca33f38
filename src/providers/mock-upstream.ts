// The one mock upstream of the test suites: a Bun server on 127.0.0.1 that records every request and answers
// from a handler the test scripts, with responses that replay recorded bytes, stall, or cut the connection.
// Imported by tests only (through testing.ts).

export interface RecordedRequest {
  method: string;
  path: string;
  search: string;
  headers: Headers;
  /** The JSON body parsed, its raw text when it is not JSON, undefined for none. */
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

/** The upstream's request number `index`, its body typed as the test expects; throws when there is none. */
export function requestAt<Body>(upstream: MockUpstream, index: number): RecordedRequest & { body: Body } {
  const request = upstream.requests[index];
  if (!request) throw new Error(`the upstream received no request #${index}`);
  return request as RecordedRequest & { body: Body };
}

/** A port nothing listens on (it was free a moment ago): connecting is refused. */
export function closedPort(): number {
  const probe = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
  const port = probe.port ?? 0;
  probe.stop(true);
  return port;
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

/** `.chunks.jsonl` fixtures hold one data payload per line; this makes them SSE events. */
export function jsonlToSSE(text: string): string[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => `data: ${line}\n\n`);
}

/** Streams the events (or any pieces of a body) with optional delays, a cut (the connection closes) or a stall. */
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

/** A recorded NDJSON body sent line by line, bytes as recorded, as Ollama streams /api/chat. */
export function ndjsonResponse(text: string, options: SSEOptions = {}): Response {
  const lines = text.split(/(?<=\n)/).filter((line) => line !== "");
  return sseResponse(lines, { contentType: "application/x-ndjson", ...options });
}
