// A mock OpenAI upstream for the Deno smoke run: replays a recorded completion, prints its port on stdout.
import { readFileSync } from "node:fs";
import { join } from "node:path";

const body = readFileSync(
  join(
    import.meta.dir,
    "..",
    "src",
    "providers",
    "openai",
    "__fixtures__",
    "chat-completions-text-httprr.json",
  ),
  "utf8",
);
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch: () => new Response(body, { headers: { "content-type": "application/json" } }),
});
process.stdout.write(`${server.port}\n`);
