// The status pages (GET /, /health) show a client key only what it may use: the providers and rotations it is
// allowed, and the health (with last errors) of the targets behind them, as /v1/models lists only those.
import { beforeAll, describe, expect, test } from "bun:test";
import { hashedKeyValue, resolveClientKeys } from "../src/config/client-keys.ts";
import { DEFAULT_HEALTH_POLICY } from "../src/routing/health.ts";
import { buildGateway, type InProcessGateway, openaiProvider } from "./helpers/gateway.ts";
import { jsonResponse, startMock } from "./helpers/mock-upstream.ts";

const KEYS = {
  full: "aisbf-visibility-full-00001",
  openaiOnly: "aisbf-visibility-openai-0002",
  poolOnly: "aisbf-visibility-pool-00003",
  oneModel: "aisbf-visibility-model-0004",
};

let gw: InProcessGateway;

beforeAll(() => {
  const endpoint = "http://127.0.0.1:9/v1";
  const { keys, problems } = resolveClientKeys(
    [
      { name: "full", key: hashedKeyValue(KEYS.full) },
      { name: "openai-only", key: hashedKeyValue(KEYS.openaiOnly), allow: ["openai"] },
      { name: "pool-only", key: hashedKeyValue(KEYS.poolOnly), allow: ["pool"] },
      { name: "one-model", key: hashedKeyValue(KEYS.oneModel), models: ["other/o-1"] },
    ],
    {},
  );
  expect(problems).toEqual([]);
  gw = buildGateway({
    providers: {
      openai: openaiProvider("openai", endpoint, { models: [{ name: "gpt-4o-mini" }] }),
      other: openaiProvider("other", endpoint, { models: [{ name: "o-1" }, { name: "o-2" }] }),
      secret: openaiProvider("secret", endpoint, { models: [{ name: "s-1" }] }),
    },
    rotations: {
      pool: { providers: [{ provider_id: "secret", models: [{ name: "s-1", weight: 1 }] }] },
      spare: { providers: [{ provider_id: "other", models: [{ name: "o-2", weight: 1 }] }] },
    },
    clientKeys: keys,
  });
  // Every provider and target has failed, so every entry carries a last error a key might see.
  for (const [providerId, model] of [
    ["openai", "gpt-4o-mini"],
    ["other", "o-1"],
    ["other", "o-2"],
    ["secret", "s-1"],
  ] as const) {
    for (const providerWide of [true, false]) {
      const message = providerWide ? `${providerId} is down` : `${providerId}/${model} broke`;
      gw.health.record(
        { providerId, model },
        { kind: "failure", report: { kind: "transient", status: 502, message, providerWide } },
        DEFAULT_HEALTH_POLICY,
      );
    }
  }
});

async function get(path: string, key: string) {
  const response = await gw.app.request(path, { headers: { authorization: `Bearer ${key}` } });
  expect(response.status).toBe(200);
  return (await response.json()) as {
    providers: Array<{ id: string }> | Record<string, unknown>;
    rotations?: Array<{ name: string; targets: Array<{ provider: string; model: string }> }>;
    targets: Record<string, { last_error?: { message: string } }>;
    config_dir?: string;
  };
}

function providerIds(body: Awaited<ReturnType<typeof get>>): string[] {
  return (
    Array.isArray(body.providers) ? body.providers.map((p) => p.id) : Object.keys(body.providers)
  ).sort();
}

const ALL_PROVIDERS = ["openai", "other", "secret"];
const ALL_TARGETS = ["openai/gpt-4o-mini", "other/o-1", "other/o-2", "secret/s-1"];

/** No error text of a provider or target the key may not use appears anywhere in the page. */
function expectNothingElse(body: unknown, providers: readonly string[], targets: readonly string[]) {
  const text = JSON.stringify(body);
  for (const id of ALL_PROVIDERS.filter((id) => !providers.includes(id))) {
    expect(text).not.toContain(`${id} is down`);
    expect(text).not.toContain(`"id":"${id}"`);
  }
  for (const id of ALL_TARGETS.filter((id) => !targets.includes(id)))
    expect(text).not.toContain(`${id} broke`);
}

describe.each([
  [
    "full",
    KEYS.full,
    ["openai", "other", "secret"],
    ["pool", "spare"],
    ["openai/gpt-4o-mini", "other/o-1", "other/o-2", "secret/s-1"],
  ],
  ["openai-only", KEYS.openaiOnly, ["openai"], [], ["openai/gpt-4o-mini"]],
  // A rotation's targets are where its requests land: their health is shown with it, their providers are not.
  ["pool-only", KEYS.poolOnly, [], ["pool"], ["secret/s-1"]],
  ["one-model", KEYS.oneModel, ["other"], [], ["other/o-1"]],
] as const)("key %s", (_name, key, providers, rotations, targets) => {
  test("GET / lists only its providers, rotations and targets", async () => {
    const body = await get("/", key);
    expect(providerIds(body)).toEqual([...providers]);
    expect((body.rotations ?? []).map((rotation) => rotation.name).sort()).toEqual([...rotations]);
    expect(Object.keys(body.targets).sort()).toEqual([...targets]);
    expectNothingElse(body, providers, targets);
  });

  test("/health shows only its providers' and targets' health", async () => {
    const body = await get("/health", key);
    expect(providerIds(body)).toEqual([...providers]);
    expect(Object.keys(body.targets).sort()).toEqual([...targets]);
    for (const [id, entry] of Object.entries(body.targets))
      expect(entry.last_error?.message).toBe(`${id} broke`);
    expectNothingElse(body, providers, targets);
  });
});

test("config_dir is for an unrestricted key only", async () => {
  expect((await get("/health", KEYS.full)).config_dir).toBe("/nonexistent-test-config");
  expect((await get("/health", KEYS.openaiOnly)).config_dir).toBeUndefined();
});

test("with client keys off everything is shown, as before", async () => {
  const open = buildGateway({ providers: gw.config.providers, rotations: gw.config.rotations });
  const body = (await (await open.app.request("/")).json()) as { providers: Array<{ id: string }> };
  expect(body.providers.map((provider) => provider.id).sort()).toEqual(["openai", "other", "secret"]);
});

test("a key limited by models lists no other provider's upstream models, and only its own of its provider", async () => {
  const upstream = startMock(() =>
    jsonResponse({
      object: "list",
      data: [
        { id: "s-1", object: "model", created: 1, owned_by: "o" },
        { id: "s-2", object: "model", created: 1, owned_by: "o" },
      ],
    }),
  );
  const { keys } = resolveClientKeys(
    [{ name: "one-model", key: hashedKeyValue("aisbf-visibility-model-0004"), models: ["secret/s-1"] }],
    {},
  );
  const gw = buildGateway({
    providers: {
      other: openaiProvider("other", `${upstream.url}/v1`, { models: [{ name: "o-1" }] }),
      secret: openaiProvider("secret", `${upstream.url}/v1`, { models: [{ name: "s-1" }] }),
    },
    clientKeys: keys,
  });
  const auth = { authorization: "Bearer aisbf-visibility-model-0004" };
  const refused = await gw.app.request("/api/other/models", { headers: auth });
  expect(refused.status).toBe(403);
  expect(upstream.requests).toHaveLength(0);
  const own = await (await gw.app.request("/api/secret/models", { headers: auth })).json();
  expect(own.data.map((entry: { id: string }) => entry.id)).toEqual(["s-1"]);
  await upstream.stop();
});
