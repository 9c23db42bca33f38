// GET /dashboard in a real browser (Debian's Chromium, driven by playwright-core): with client keys on it asks for a
// key (kept in sessionStorage only), loads with no console errors, draws its charts, and after failures injected at
// a mock upstream shows that target cooled down and the failover. A screenshot goes to $AISBF_ARTIFACTS (default
// artifacts/) as dashboard.png, the path the README names.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { sha256 } from "../src/config/client-keys.ts";
import { silentLogger } from "../src/log/logger.ts";
import { REPO } from "./cli-helpers.ts";
import { openaiProvider, startGateway, type TestGateway } from "./helpers/gateway.ts";
import { fixture, jsonResponse, type MockUpstream, startMock } from "./helpers/mock-upstream.ts";

const CHROMIUM = "/usr/bin/chromium";
const run = existsSync(CHROMIUM) ? test : test.skip;
if (!existsSync(CHROMIUM)) console.warn(`dashboard browser test skipped: no ${CHROMIUM}`);

const KEY = "sk-dashboard-key-0123456789abcdef";
const ARTIFACTS = process.env.AISBF_ARTIFACTS ?? join(REPO, "artifacts");
const completion = fixture("openai", "chat-completions-text.json");

let good: MockUpstream;
let flaky: MockUpstream;
/** Flipped by the test: the flaky upstream then answers 503, as an overloaded provider does. */
let failing = false;
let gw: TestGateway;
let browser: Browser | undefined;

beforeAll(async () => {
  good = startMock(() => jsonResponse(JSON.parse(completion)));
  flaky = startMock(() =>
    failing
      ? jsonResponse({ error: { message: "The server is overloaded", type: "server_error" } }, 503)
      : jsonResponse(JSON.parse(completion)),
  );
  gw = startGateway({
    providers: {
      good: openaiProvider("good", `${good.url}/v1`),
      flaky: openaiProvider("flaky", `${flaky.url}/v1`),
    },
    rotations: {
      pool: {
        strategy: "priority",
        providers: [
          { provider_id: "flaky", models: [{ name: "gpt-4o-mini", weight: 1 }] },
          { provider_id: "good", models: [{ name: "gpt-4o-mini", weight: 1 }] },
        ],
      },
    },
    clientKeys: [{ name: "dash", digest: sha256(KEY), plaintext: KEY, admin: true }],
    logger: silentLogger,
  });
  if (!existsSync(CHROMIUM)) return;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await gw?.stop();
  await good?.stop();
  await flaky?.stop();
});

async function chat(model: string): Promise<number> {
  const response = await fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${KEY}` },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }),
  });
  await response.text();
  return response.status;
}

/** Every console error and uncaught exception of the page. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));
  return errors;
}

run(
  "asks for a key, draws its charts, shows a target cooled down after injected failures; no console errors",
  async () => {
    const context = await (browser as Browser).newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors = watchErrors(page);
    const response = await page.goto(`${gw.url}/dashboard`);
    expect(response?.status()).toBe(200);
    // The page holds no data: with keys on, it asks for one.
    await page.waitForSelector("#login:not([hidden])");
    expect(await page.isHidden("#board")).toBe(true);
    await page.fill("#key", KEY);
    await page.click("#login button");
    await page.waitForSelector("#board:not([hidden])");
    expect(await page.evaluate(() => sessionStorage.getItem("aisbf-dashboard-key"))).toBe(KEY);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    expect(await context.cookies()).toEqual([]);
    expect(page.url()).not.toContain(KEY);

    expect(await chat("pool")).toBe(200);
    expect(await chat("good/gpt-4o-mini")).toBe(200);
    failing = true;
    // The default threshold: three failures take the flaky target out; each request is answered by the fallback.
    for (let index = 0; index < 3; index++) expect(await chat("pool")).toBe(200);

    await page.waitForSelector('tr[data-target="flaky/gpt-4o-mini"][data-state="cooling_down"]', {
      timeout: 15_000,
    });
    const row = await page.textContent('tr[data-target="flaky/gpt-4o-mini"]');
    expect(row).toContain("cooling down");
    expect(row).toContain("503");
    expect(await page.locator("#failovers tr.failover").count()).toBe(3);
    expect(await page.textContent("#failovers")).toContain("flaky/gpt-4o-mini");
    // Charts: the traffic lines have points, latency and tokens have bars.
    await page.waitForFunction(() => Number(document.getElementById("traffic-chart")?.dataset.points) >= 2);
    const traffic = await page.getAttribute("#traffic-chart polyline.series-requests", "points");
    expect(traffic?.split(" ").length).toBeGreaterThanOrEqual(2);
    expect(await page.locator("#latency-chart rect").count()).toBe(5);
    expect(await page.locator("#tokens-chart rect").count()).toBe(1);
    expect(await page.textContent("#tokens-chart")).toContain("dash");

    mkdirSync(ARTIFACTS, { recursive: true });
    const shot = join(ARTIFACTS, "dashboard.png");
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(10_000);
    expect(errors).toEqual([]);
    await context.close();
  },
  60_000,
);

run(
  "a page request that already carries a valid Authorization header needs no form",
  async () => {
    const context = await (browser as Browser).newContext({
      extraHTTPHeaders: { authorization: `Bearer ${KEY}` },
    });
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${gw.url}/dashboard`);
    await page.waitForSelector("#board:not([hidden])");
    expect(await page.isHidden("#login")).toBe(true);
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  },
  30_000,
);
