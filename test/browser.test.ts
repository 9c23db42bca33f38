// A real browser (Debian's Chromium, driven by playwright-core) on a page from another origin, and on a page whose
// name was rebound to 127.0.0.1: whatever the page sends, no upstream call is made with the operator's key.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";
import { openaiProvider, startGateway, type TestGateway } from "./helpers/gateway.ts";
import { fixture, jsonResponse, type MockUpstream, startMock } from "./helpers/mock-upstream.ts";

const CHROMIUM = "/usr/bin/chromium";
const REBOUND = "rebound.example";
// .ci/run installs Chromium; a machine without it says so instead of passing in silence.
const run = existsSync(CHROMIUM) ? test : test.skip;
if (!existsSync(CHROMIUM)) console.warn(`browser tests skipped: no ${CHROMIUM}`);

let upstream: MockUpstream;
let gw: TestGateway;
let page: ReturnType<typeof Bun.serve>;
let browser: Browser | undefined;

/** What an attacker's page does on load: every request a browser sends to another origin without a preflight. */
function attackPage(target: string): string {
  const body = JSON.stringify({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "hi" }] });
  return `<!doctype html><html><body>
<iframe name="sink"></iframe>
<form id="f" method="POST" action="${target}" target="sink" enctype="text/plain">
  <input name='${body.slice(0, -1)},"x":"' value='"}'>
</form>
<form id="u" method="POST" action="${target}" target="sink"><input name="q" value="1"></form>
<script>
  const body = ${JSON.stringify(body)};
  const results = [];
  const send = (init, index) => fetch(${JSON.stringify(target)}, { method: "POST", ...init }).then(
    (response) => { results[index] = response.type + ":" + response.status; },
    () => { results[index] = "error"; },
  );
  Promise.all([
    send({ mode: "no-cors", headers: { "content-type": "text/plain" }, body }, 0),
    send({ mode: "no-cors", body: new URLSearchParams({ q: body }) }, 1),
    send({ mode: "no-cors", body: (() => { const data = new FormData(); data.append("q", body); return data; })() }, 2),
    send({ mode: "no-cors", body: new Blob([body]) }, 3),
    send({ headers: { "content-type": "application/json" }, body }, 4),
  ]).then(() => {
    document.getElementById("f").submit();
    document.getElementById("u").submit();
    setTimeout(() => { document.title = "done " + results.join(","); }, 500);
  });
</script></body></html>`;
}

beforeAll(async () => {
  upstream = startMock(() => jsonResponse(fixture("openai", "chat-completions-text-httprr.json")));
  gw = startGateway({
    providers: {
      openai: openaiProvider("openai", `${upstream.url}/v1`, { models: [{ name: "gpt-4o-mini" }] }),
    },
  });
  const target = `${gw.url}/v1/chat/completions`;
  page = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: () => new Response(attackPage(target), { headers: { "content-type": "text/html" } }),
  });
  if (!existsSync(CHROMIUM)) return;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    // Headless, in a fresh profile of playwright's; no background networking (this machine's network is closed).
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      `--host-resolver-rules=MAP ${REBOUND} 127.0.0.1`,
      // Chromium's own local-network protections would stop the rebound page's requests before they are sent;
      // off, so that what is tested is the gateway's refusal (older browsers and other engines have none).
      "--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights,PrivateNetworkAccessRespectPreflightResults",
    ],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  page?.stop(true);
  await gw?.stop();
  await upstream?.stop();
});

run(
  "a page from another origin: no-cors text, form, multipart and Blob POSTs, form submits, a CORS fetch",
  async () => {
    const tab = await (browser as Browser).newPage();
    await tab.goto(`http://127.0.0.1:${page.port}/`);
    await tab.waitForFunction(() => document.title.startsWith("done"), undefined, { timeout: 15_000 });
    // Opaque answers for no-cors, an error for the CORS fetch (no CORS headers): the page reads nothing.
    expect(await tab.title()).toBe("done opaque:0,opaque:0,opaque:0,opaque:0,error");
    expect(upstream.requests).toHaveLength(0);
    await tab.close();
  },
  30_000,
);

run(
  "DNS rebinding: a page on a name resolved to 127.0.0.1 is same-origin, and still refused",
  async () => {
    const tab = await (browser as Browser).newPage();
    const origin = `http://${REBOUND}:${new URL(gw.url).port}`;
    // The attacker's page, as first served from the attacker's own address; its requests then reach the gateway.
    await tab.route(`${origin}/`, (route) =>
      route.fulfill({ contentType: "text/html", body: "<!doctype html><title>rebound</title>" }),
    );
    await tab.goto(`${origin}/`);
    const status = await tab.evaluate(async () => {
      const body = JSON.stringify({
        model: "openai/gpt-4o-mini",
        messages: [{ role: "user", content: "hi" }],
      });
      const response = await fetch("/v1/chat/completions", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      return `${response.status} ${(await response.json()).error?.code}`;
    });
    expect(status).toBe("403 host_not_allowed");
    expect(upstream.requests).toHaveLength(0);
    await tab.close();
  },
  30_000,
);
