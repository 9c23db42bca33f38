// The runtime's limit: a bare Bun + Hono pass-through (parse the JSON body, fetch upstream, return or stream it).
// Usage: bun bench/bare-proxy.ts --port P --upstream http://127.0.0.1:U
import { parseArgs } from "node:util";
import { Hono } from "hono";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: { port: { type: "string" }, upstream: { type: "string" } },
});
const upstream = values.upstream ?? "http://127.0.0.1:8080";

const app = new Hono();
app.post("/v1/chat/completions", async (c) => {
  const body = await c.req.json();
  const response = await fetch(`${upstream}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    signal: c.req.raw.signal,
  });
  return new Response(response.body, {
    status: response.status,
    headers: { "content-type": response.headers.get("content-type") ?? "application/json" },
  });
});

const server = Bun.serve({ hostname: "127.0.0.1", port: Number(values.port ?? 0), fetch: app.fetch });
process.stdout.write(`listening ${server.port}\n`);
