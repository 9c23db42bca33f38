// The runtime's limit: a bare Bun + Hono pass-through (parse the JSON body, fetch upstream, return or stream it), for
// OpenAI chat completions and Anthropic Messages alike, so that each pass-through lane has its own floor.
// Usage: bun bench/bare-proxy.ts --port P --upstream http://127.0.0.1:U [--read-in-js]
import { parseArgs } from "node:util";
import { type Context, Hono } from "hono";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    port: { type: "string" },
    upstream: { type: "string" },
    /**
     * The answer read in JavaScript (a JSON body as text; an event stream chunk by chunk into a Bun direct stream,
     * untouched), where the default hands the upstream's body to the server natively: the floor of any proxy that must watch a stream go by (its commit
     * point, its finish, a cut), as a gateway with failover does.
     */
    "read-in-js": { type: "boolean", default: false },
  },
});
const upstream = values.upstream ?? "http://127.0.0.1:8080";

/** Forwards the parsed body to the same path upstream, with the headers its wire needs, and sends back its answer. */
function forward(path: string, forwarded: string[]) {
  return async (c: Context) => {
    const body = await c.req.json();
    const headers: Record<string, string> = { "content-type": "application/json" };
    for (const name of forwarded) {
      const value = c.req.header(name);
      if (value) headers[name] = value;
    }
    const response = await fetch(`${upstream}${path}`, {
      method: "POST",
      headers,
      body: JSON.stringify(body),
      signal: c.req.raw.signal,
    });
    const init = {
      status: response.status,
      headers: { "content-type": response.headers.get("content-type") ?? "application/json" },
    };
    if (!values["read-in-js"] || !response.body) return new Response(response.body, init);
    // A JSON answer as a gateway checks one: whole, as text.
    const streamed = init.headers["content-type"].startsWith("text/event-stream");
    return new Response(streamed ? readInJs(response.body) : await response.text(), init);
  };
}

/** The body's chunks, each read here and written on as it came. */
function readInJs(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  const source = {
    type: "direct",
    async pull(controller: { write(chunk: Uint8Array): unknown; flush(): unknown; close(): void }) {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return controller.close();
        controller.write(value);
        controller.flush();
      }
    },
    cancel: (reason: unknown) => reader.cancel(reason),
  };
  return new ReadableStream(source as unknown as UnderlyingDefaultSource<Uint8Array>);
}

const app = new Hono();
app.post("/v1/chat/completions", forward("/v1/chat/completions", []));
app.post("/v1/messages", forward("/v1/messages", ["anthropic-version", "anthropic-beta", "x-api-key"]));

const server = Bun.serve({ hostname: "127.0.0.1", port: Number(values.port ?? 0), fetch: app.fetch });
process.stdout.write(`listening ${server.port}\n`);
