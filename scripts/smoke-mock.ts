// A mock OpenAI upstream for the Deno smoke run: replays recorded responses (JSON, or SSE when the request asks
// for a stream, events spaced out so the stream really flows), prints its port on stdout.
import { readFileSync } from "node:fs";
import { join } from "node:path";

const fixtures = join(import.meta.dir, "..", "src", "providers", "openai", "__fixtures__");
const body = readFileSync(join(fixtures, "chat-completions-text-httprr.json"), "utf8");
const events = readFileSync(join(fixtures, "chat-completions-stream-include-usage.sse"), "utf8")
  .split(/(?<=\n\n)/)
  .filter((event) => event.trim() !== "");

function streamed(): Response {
  let index = 0;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      await Bun.sleep(20);
      const event = events[index++];
      if (event === undefined) controller.close();
      else controller.enqueue(new TextEncoder().encode(event));
    },
  });
  return new Response(stream, { headers: { "content-type": "text/event-stream" } });
}

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(request) {
    const wanted = (await request.json().catch(() => ({}))) as { stream?: boolean };
    if (wanted.stream) return streamed();
    return new Response(body, { headers: { "content-type": "application/json" } });
  },
});
process.stdout.write(`${server.port}\n`);
