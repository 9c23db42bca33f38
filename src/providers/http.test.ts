// Upstream redirects: followed within the configured host, refused to any other.
import { afterAll, expect, test } from "bun:test";
import { GatewayError, UpstreamConnectionError, UpstreamTimeoutError } from "../api/errors.ts";
import { CrossOriginRedirectError, fetchWithHeadersDeadline, upstreamFetch } from "./http.ts";

const target = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch(request): Response {
    const path = new URL(request.url).pathname;
    if (path === "/moved") return new Response(null, { status: 308, headers: { location: "/here" } });
    if (path === "/away") {
      return new Response(null, {
        status: 307,
        headers: { location: `http://localhost:${target.port}/here` },
      });
    }
    if (path === "/loop") return new Response(null, { status: 302, headers: { location: "/loop" } });
    return new Response(`at ${path}`);
  },
});
const base = `http://127.0.0.1:${target.port}`;

afterAll(() => target.stop(true));

test("no redirect: the response as it is", async () => {
  expect(await (await upstreamFetch(`${base}/here`)).text()).toBe("at /here");
});

test("a redirect within the same origin is followed", async () => {
  expect(await (await upstreamFetch(`${base}/moved`, { method: "GET" })).text()).toBe("at /here");
});

test("a redirect to another origin is refused", async () => {
  await expect(upstreamFetch(`${base}/away`)).rejects.toBeInstanceOf(CrossOriginRedirectError);
});

test("a redirect loop ends", async () => {
  await expect(upstreamFetch(`${base}/loop`)).rejects.toThrow("too many");
});

const options = (signal: AbortSignal, headersTimeoutMs = 2000) => ({
  providerId: "p",
  signal,
  headersTimeoutMs,
});

test("no connection: an UpstreamConnectionError naming the provider", async () => {
  const closed = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("x") });
  const url = `http://127.0.0.1:${closed.port}/`;
  await closed.stop(true);
  const error = await fetchWithHeadersDeadline(url, {}, options(new AbortController().signal)).catch(
    (e) => e,
  );
  expect(error).toBeInstanceOf(UpstreamConnectionError);
  expect((error as GatewayError).message).toContain("Could not reach provider 'p'");
});

test("headers later than the deadline: an UpstreamTimeoutError; the body itself may take its time", async () => {
  const slow = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      if (new URL(request.url).pathname === "/late") await Bun.sleep(500);
      return new Response(
        new ReadableStream({
          async start(controller) {
            // The first bytes get the headers out; the rest of the body is slow, as a long answer is.
            controller.enqueue(new TextEncoder().encode("start "));
            await Bun.sleep(300);
            controller.enqueue(new TextEncoder().encode("done"));
            controller.close();
          },
        }),
      );
    },
  });
  try {
    const late = await fetchWithHeadersDeadline(
      `http://127.0.0.1:${slow.port}/late`,
      {},
      options(new AbortController().signal, 150),
    ).catch((e) => e);
    expect(late).toBeInstanceOf(UpstreamTimeoutError);
    const streamed = await fetchWithHeadersDeadline(
      `http://127.0.0.1:${slow.port}/`,
      {},
      options(new AbortController().signal, 150),
    );
    expect(await streamed.text()).toBe("start done");
  } finally {
    await slow.stop(true);
  }
});

test("the caller's abort is rethrown as it is, not mapped", async () => {
  const controller = new AbortController();
  controller.abort();
  const error = await fetchWithHeadersDeadline(`${base}/here`, {}, options(controller.signal)).catch(
    (e) => e,
  );
  expect(error).not.toBeInstanceOf(GatewayError);
});
