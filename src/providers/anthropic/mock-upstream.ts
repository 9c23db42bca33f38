// A mock Anthropic upstream on 127.0.0.1 that replays the recorded bytes (used by index.test.ts only).
import { documentedError, fixtureSse, fixtureText, MODELS_PAGE } from "./testing.ts";

export interface Received {
  path: string;
  headers: Headers;
  body: Record<string, unknown>;
}

export interface MockUpstream {
  endpoint: string;
  /** Answers 200 with a Content-Length it never fills, then closes: a connection lost mid-body. */
  resetEndpoint: string;
  received: Received[];
  stop(): void;
}

function sse(text: string): Response {
  return new Response(text, { headers: { "content-type": "text/event-stream" } });
}

function json(text: string, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(text, { status, headers: { "content-type": "application/json", ...headers } });
}

const textStream = fixtureSse("messages-stream-text-httprr.sse");
/** The recorded text stream without its message_delta and message_stop. */
export const cutStream = textStream.slice(0, textStream.indexOf("event: message_delta"));

/** Upstream behaviour chosen by the requested model name. */
const BY_MODEL: Record<string, () => Response | Promise<Response>> = {
  text: () => json(fixtureText("messages-text.json")),
  tools: () => json(fixtureText("messages-parallel-tool-use.json")),
  "stream-text": () => sse(textStream),
  "stream-thinking": () => sse(fixtureSse("messages-stream-thinking.sse")),
  "stream-tools": () => sse(fixtureSse("messages-stream-parallel-tool-use.sse")),
  "stream-cut": () => sse(cutStream),
  garbage: () => json("<html>upstream proxy error</html>"),
  overloaded: () => json(documentedError("overloaded_error", "Overloaded"), 529),
  limited: () =>
    json(documentedError("rate_limit_error", "rate limited"), 429, {
      "retry-after": "12",
      "retry-after-ms": "11500",
    }),
  missing: () => json(fixtureText("error-404-not-found-model.json"), 404),
  "too-long": () =>
    json(documentedError("invalid_request_error", "prompt is too long: 250000 tokens > 200000 maximum"), 400),
  slow: () =>
    new Promise((resolve) => setTimeout(() => resolve(json(fixtureText("messages-text.json"))), 400)),
};

export function startMockUpstream(validKey: string): MockUpstream {
  const received: Received[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const url = new URL(request.url);
      const body = request.method === "POST" ? ((await request.json()) as Record<string, unknown>) : {};
      received.push({ path: url.pathname + url.search, headers: request.headers, body });
      if (url.pathname === "/v1/models") {
        if (request.headers.get("x-api-key") === validKey) return json(JSON.stringify(MODELS_PAGE));
        return json(documentedError("authentication_error", "invalid x-api-key"), 401);
      }
      const respond = BY_MODEL[String(body.model)];
      return respond ? respond() : json(fixtureText("messages-text.json"));
    },
  });
  const answered = new WeakSet<object>();
  const resetServer = Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      data(socket) {
        // The request may arrive in several packets; answer once.
        if (answered.has(socket)) return;
        answered.add(socket);
        const head = `HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncontent-length: ${cutStream.length * 2}\r\n\r\n`;
        socket.write(head + cutStream);
        socket.flush();
        setTimeout(() => socket.end(), 20);
      },
    },
  });
  return {
    endpoint: `http://127.0.0.1:${server.port}`,
    resetEndpoint: `http://127.0.0.1:${resetServer.port}`,
    received,
    stop() {
      server.stop(true);
      resetServer.stop(true);
    },
  };
}
