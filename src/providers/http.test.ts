// Upstream redirects: followed within the configured host, refused to any other.
import { afterAll, expect, test } from "bun:test";
import { CrossOriginRedirectError, upstreamFetch } from "./http.ts";

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
