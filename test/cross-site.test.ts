// Cross-site requests: what a web page can make a visitor's browser send to the gateway (a "simple" POST with a
// form or text body, a foreign or null Origin, a DNS-rebinding Host) is refused before any upstream is called,
// with client keys off (the default) and on; what legitimate clients send still works.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { hashedKeyValue, resolveClientKeys } from "../src/config/client-keys.ts";
import type { ServerFile } from "../src/config/schema.ts";
import { declaresJson } from "../src/server/body.ts";
import { hostName, isLoopbackName } from "../src/server/cross-site.ts";
import { buildGateway, type InProcessGateway, openaiProvider, startGateway } from "./helpers/gateway.ts";
import { fixture, jsonResponse, type MockUpstream, startMock } from "./helpers/mock-upstream.ts";

const CLIENT_KEY = "aisbf-cross-site-key-000111";
const ALLOWED_ORIGIN = "https://app.example.com";
const body = JSON.stringify({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "hi" }] });

let upstream: MockUpstream;
let open: InProcessGateway;
let keyed: InProcessGateway;

function gateway(server: ServerFile = {}, withKeys = false, listenHost = "127.0.0.1"): InProcessGateway {
  const { keys } = resolveClientKeys(withKeys ? [{ name: "k", key: hashedKeyValue(CLIENT_KEY) }] : [], {});
  return buildGateway({
    providers: {
      openai: openaiProvider("openai", `${upstream.url}/v1`, { models: [{ name: "gpt-4o-mini" }] }),
    },
    server,
    clientKeys: keys,
    listenHost,
  });
}

beforeAll(() => {
  upstream = startMock(() => jsonResponse(fixture("openai", "chat-completions-text-httprr.json")));
  open = gateway({ cors: { origins: [`${ALLOWED_ORIGIN}/`] }, allowed_hosts: ["gw.example.net"] });
  keyed = gateway({ cors: { origins: [ALLOWED_ORIGIN, "null"] } }, true);
});
afterAll(async () => {
  await upstream.stop();
});

/** A request as the gateway receives it, Host included (app.request passes headers through). */
function send(
  gw: InProcessGateway,
  path: string,
  init: RequestInit & { headers?: Record<string, string> } = {},
) {
  return gw.app.request(`http://127.0.0.1:17765${path}`, {
    ...init,
    headers: { host: "127.0.0.1:17765", ...init.headers },
  });
}

function postChat(gw: InProcessGateway, headers: Record<string, string>, payload: BodyInit = body) {
  return send(gw, "/v1/chat/completions", { method: "POST", headers, body: payload });
}

async function expectRefused(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  const json = await response.json();
  expect(Object.keys(json.error).sort()).toEqual(["code", "message", "param", "type"]);
  expect(json.error.code).toBe(code);
}

const form = () => {
  const data = new FormData();
  data.set("model", "openai/gpt-4o-mini");
  return data;
};

// What a page can POST without a preflight, each as a browser sends it.
const simpleBodies: Array<[string, Record<string, string>, () => BodyInit]> = [
  ["text/plain", { "content-type": "text/plain;charset=UTF-8" }, () => body],
  ["form-urlencoded", { "content-type": "application/x-www-form-urlencoded" }, () => `${body}=`],
  ["multipart (FormData)", {}, form],
  ["no content type (a Blob without a type)", {}, () => new Blob([body])],
];

describe.each([
  ["client keys off", () => open, {}],
  ["client keys on", () => keyed, { authorization: `Bearer ${CLIENT_KEY}` }],
] as const)("%s", (_name, gw, auth) => {
  test.each(simpleBodies)("a %s body is a 415 and reaches no upstream", async (_kind, headers, payload) => {
    upstream.requests.length = 0;
    await expectRefused(
      await postChat(gw(), { ...auth, origin: ALLOWED_ORIGIN, ...headers }, payload()),
      415,
      "unsupported_media_type",
    );
    await expectRefused(
      await postChat(gw(), { ...auth, ...headers }, payload()),
      415,
      "unsupported_media_type",
    );
    expect(upstream.requests).toHaveLength(0);
  });

  test("a foreign Origin is a 403 before anything is parsed, even with a JSON body", async () => {
    upstream.requests.length = 0;
    const foreign = { ...auth, "content-type": "application/json", origin: "https://evil.example" };
    await expectRefused(await postChat(gw(), foreign), 403, "origin_not_allowed");
    // Not even the body is read: an invalid one gets the same 403, not a 400.
    await expectRefused(await postChat(gw(), foreign, "{not json"), 403, "origin_not_allowed");
    // The allowed origin's host on another port or scheme is another origin.
    await expectRefused(
      await postChat(gw(), { ...foreign, origin: "http://app.example.com" }),
      403,
      "origin_not_allowed",
    );
    expect(upstream.requests).toHaveLength(0);
  });

  test("a rebinding Host (evil.example resolving to 127.0.0.1) is a 403", async () => {
    upstream.requests.length = 0;
    for (const host of [
      "evil.example",
      "evil.example:17765",
      "127.0.0.1.evil.example",
      "localhost.evil.example",
    ]) {
      await expectRefused(
        await postChat(gw(), { ...auth, "content-type": "application/json", host }),
        403,
        "host_not_allowed",
      );
    }
    expect(upstream.requests).toHaveLength(0);
  });

  test("GET routes check Host and Origin too", async () => {
    for (const path of ["/", "/health", "/v1/models", "/api/openai/models"]) {
      await expectRefused(
        await send(gw(), path, { headers: { ...auth, host: "evil.example" } }),
        403,
        "host_not_allowed",
      );
      await expectRefused(
        await send(gw(), path, { headers: { ...auth, origin: "https://evil.example" } }),
        403,
        "origin_not_allowed",
      );
    }
    // An unknown path too: a 403, not a 404 that tells a page what exists.
    expect((await send(gw(), "/nowhere", { headers: { host: "evil.example" } })).status).toBe(403);
  });

  test("legitimate requests still work: no Origin, the allowed Origin, loopback Hosts with or without a port", async () => {
    upstream.requests.length = 0;
    const json = { ...auth, "content-type": "application/json" };
    expect((await postChat(gw(), json)).status).toBe(200);
    const fromPage = await postChat(gw(), { ...json, origin: ALLOWED_ORIGIN });
    expect(fromPage.status).toBe(200);
    expect(fromPage.headers.get("access-control-allow-origin")).toBe(ALLOWED_ORIGIN);
    for (const host of [
      "localhost",
      "localhost:17765",
      "127.0.0.1:17765",
      "127.0.0.2",
      "[::1]",
      "[::1]:17765",
      "app.localhost:8080",
      "LOCALHOST.",
    ]) {
      expect((await postChat(gw(), { ...json, host })).status).toBe(200);
    }
    for (const type of [
      "application/json; charset=utf-8",
      "Application/JSON;charset=UTF-8",
      "application/vnd.aisbf+json",
    ]) {
      expect((await postChat(gw(), { ...auth, "content-type": type })).status).toBe(200);
    }
    expect((await send(gw(), "/health", { headers: { host: "[::1]:17765" } })).status).toBe(200);
    expect(upstream.requests.length).toBeGreaterThanOrEqual(12);
  });

  test("the CORS preflight for an allowed origin still works", async () => {
    const preflight = await send(gw(), "/v1/chat/completions", {
      method: "OPTIONS",
      headers: {
        origin: ALLOWED_ORIGIN,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe(ALLOWED_ORIGIN);
    expect(preflight.headers.get("access-control-allow-headers")).toContain("content-type");
  });
});

describe("settings", () => {
  test("allowed_hosts adds names to the loopback ones, any port", async () => {
    for (const host of ["gw.example.net", "GW.example.net:443"]) {
      expect((await send(open, "/health", { headers: { host } })).status).toBe(200);
    }
    expect((await send(open, "/health", { headers: { host: "other.example.net" } })).status).toBe(403);
  });

  test('Origin "null" (a sandboxed page, a file:// page) is refused unless listed', async () => {
    const headers = { "content-type": "application/json", origin: "null" };
    await expectRefused(await postChat(open, headers), 403, "origin_not_allowed");
    expect((await postChat(keyed, { ...headers, authorization: `Bearer ${CLIENT_KEY}` })).status).toBe(200);
  });

  test('cors.origins "*" allows every origin; the Host check still holds', async () => {
    const anyOrigin = gateway({ cors: { origins: ["*"] } });
    const headers = { "content-type": "application/json", origin: "https://evil.example" };
    expect((await postChat(anyOrigin, headers)).status).toBe(200);
    expect((await postChat(anyOrigin, { ...headers, host: "evil.example" })).status).toBe(403);
  });

  test("no CORS configured: any Origin is refused, the preflight gets no CORS headers", async () => {
    const bare = gateway();
    await expectRefused(
      await postChat(bare, { "content-type": "application/json", origin: "http://localhost:3000" }),
      403,
      "origin_not_allowed",
    );
    const preflight = await send(bare, "/v1/chat/completions", {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
  });

  test("listening beyond loopback (client keys on), Host is checked only once allowed_hosts is set", async () => {
    const headers = {
      "content-type": "application/json",
      authorization: `Bearer ${CLIENT_KEY}`,
      host: "10.0.0.5:17765",
    };
    expect((await postChat(gateway({}, true, "0.0.0.0"), headers)).status).toBe(200);
    const listed = gateway({ allowed_hosts: ["gw.example.net"] }, true, "0.0.0.0");
    expect((await postChat(listed, headers)).status).toBe(403);
    expect((await postChat(listed, { ...headers, host: "gw.example.net" })).status).toBe(200);
  });
});

describe("parts", () => {
  test("hostName: name without port, lowercased; malformed values are undefined", () => {
    expect(hostName("127.0.0.1:17765")).toBe("127.0.0.1");
    expect(hostName("[::1]:80")).toBe("[::1]");
    expect(hostName("LocalHost.")).toBe("localhost");
    for (const bad of ["", "[::1", "a:b", "host:99999999", "::1"]) expect(hostName(bad)).toBeUndefined();
  });

  test("isLoopbackName: localhost, *.localhost, 127.0.0.0/8, [::1]", () => {
    for (const name of ["localhost", "a.b.localhost", "127.0.0.1", "127.255.0.9", "[::1]"]) {
      expect(isLoopbackName(name)).toBe(true);
    }
    for (const name of [
      "127.0.0.256",
      "128.0.0.1",
      "0.0.0.0",
      "localhost.example",
      "[::2]",
      "evil.example",
    ]) {
      expect(isLoopbackName(name)).toBe(false);
    }
  });

  test("declaresJson: application/json and +json, parameters allowed; nothing a form can send", () => {
    for (const type of [
      "application/json",
      "application/json;charset=utf-8",
      " APPLICATION/JSON ; x=y",
      "application/ld+json",
    ]) {
      expect(declaresJson(type)).toBe(true);
    }
    for (const type of [
      null,
      "",
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "text/json",
      "+json",
      "application/jsonp",
    ]) {
      expect(declaresJson(type)).toBe(false);
    }
  });
});

test("over a real socket: a rebinding Host and a text/plain body are refused, 127.0.0.1:port served", async () => {
  const served = startGateway({
    providers: { openai: openaiProvider("openai", `${upstream.url}/v1`) },
  });
  try {
    upstream.requests.length = 0;
    const url = `${served.url}/v1/chat/completions`;
    const rebound = await fetch(url, {
      method: "POST",
      headers: { host: "evil.example:17765", "content-type": "application/json" },
      body,
    });
    expect(rebound.status).toBe(403);
    const simple = await fetch(url, { method: "POST", headers: { "content-type": "text/plain" }, body });
    expect(simple.status).toBe(415);
    expect(upstream.requests).toHaveLength(0);
    const legit = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
    expect(legit.status).toBe(200);
  } finally {
    await served.stop();
  }
});
