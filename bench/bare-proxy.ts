// The runtime's limit: a bare Bun + Hono pass-through (parse the JSON body, fetch upstream, return or stream it), for
// OpenAI chat completions and Anthropic Messages alike, so that each pass-through lane has its own floor.
// Usage: bun bench/bare-proxy.ts --port P --upstream http://127.0.0.1:U
import { parseArgs } from "node:util";
import { type Context, Hono } from "hono";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: { port: { type: "string" }, upstream: { type: "string" } },
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
    return new Response(response.body, {
      status: response.status,
      headers: { "content-type": response.headers.get("content-type") ?? "application/json" },
    });
  };
}

const app = new Hono();
app.post("/v1/chat/completions", forward("/v1/chat/completions", []));
app.post("/v1/messages", forward("/v1/messages", ["anthropic-version", "anthropic-beta", "x-api-key"]));

const server = Bun.serve({ hostname: "127.0.0.1", port: Number(values.port ?? 0), fetch: app.fetch });
process.stdout.write(`listening ${server.port}\n`);
