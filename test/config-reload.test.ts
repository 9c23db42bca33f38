// Config hot reload on a real `serve` process: an edit on disk is picked up without a restart, a broken edit is
// refused with the old config kept (logged, shown in /health), SIGHUP reloads, a request in flight finishes on the
// config it started with, and a provider still configured keeps its health.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { chat, eventually, type Instance, startInstance } from "./helpers/instances.ts";
import { fixture, jsonResponse, type MockUpstream, startMock } from "./helpers/mock-upstream.ts";

const completion = JSON.parse(fixture("openai", "chat-completions-text.json"));
let upstream: MockUpstream;
let gateway: Instance;

const provider = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  name: id,
  type: "openai",
  endpoint: `${upstream.url}/v1`,
  api_key_required: true,
  api_key: "sk-reload-test-key-000111",
  ...extra,
});

interface Health {
  providers: Record<string, { state: string; consecutive_failures: number }>;
  config: { loaded_at: string; reloads: number; last_error?: { message: string } };
}
const health = async () => (await (await fetch(`${gateway.url}/health`)).json()) as Health;

beforeAll(async () => {
  upstream = startMock(async (request) => {
    const model = (request.body as { model?: string }).model ?? "";
    if (model === "broken")
      return jsonResponse({ error: { message: "upstream down", type: "server_error" } }, 500);
    if (model === "slow") await Bun.sleep(800);
    return jsonResponse(completion);
  });
  gateway = await startInstance({ providers: { one: provider("one", { failure_threshold: 1 }) } });
});
afterAll(async () => {
  await gateway?.stop();
  await upstream?.stop();
});

test("an edit on disk is served without a restart; a broken one is refused and the old config stays", async () => {
  expect((await chat(gateway.url, "two/gpt-4o-mini")).status).toBe(404);
  // One failure takes 'one' out: its health must survive the reload.
  expect((await chat(gateway.url, "one/broken")).status).toBe(500);
  const before = await health();
  expect(before.config.reloads).toBe(0);
  expect(JSON.stringify(before)).toContain("cooling_down");

  gateway.writeConfig("providers.json", {
    providers: { one: provider("one", { failure_threshold: 1 }), two: provider("two") },
  });
  await eventually("the edit to be loaded", async () => ((await health()).providers.two ? true : undefined));
  expect((await chat(gateway.url, "two/gpt-4o-mini")).status).toBe(200);
  const after = await health();
  expect(after.config.reloads).toBe(1);
  expect(after.config.last_error).toBeUndefined();
  expect(JSON.stringify(after)).toContain("cooling_down");

  // Not JSON: refused, logged, shown; 'two' still served.
  writeFileSync(join(gateway.dir, "providers.json"), '{"providers": {"one": ');
  const refused = await eventually("the refusal", async () => (await health()).config.last_error);
  expect(refused.message).toContain("providers.json");
  expect(refused.message).toContain("not valid JSON");
  expect((await chat(gateway.url, "two/gpt-4o-mini")).status).toBe(200);
  expect(gateway.output()).toContain("config reload refused");

  // Valid JSON, invalid config (a typo'd field): refused as well, with the field named.
  gateway.writeConfig("providers.json", { providers: { two: { ...provider("two"), endpont: "x" } } });
  const typo = await eventually("the second refusal", async () => {
    const error = (await health()).config.last_error;
    return error?.message.includes("endpont") ? error : undefined;
  });
  expect(typo.message).toContain("providers.json");
  expect((await chat(gateway.url, "two/gpt-4o-mini")).status).toBe(200);
  expect((await health()).config.reloads).toBe(1);
});

test("SIGHUP reloads; a request in flight finishes on the config it started with; removed providers are gone", async () => {
  gateway.writeConfig("providers.json", {
    providers: { one: provider("one", { failure_threshold: 1 }), two: provider("two") },
  });
  await eventually("the fixed config", async () => ((await health()).config.last_error ? undefined : true));
  const reloads = (await health()).config.reloads;

  const inFlight = chat(gateway.url, "two/slow");
  await Bun.sleep(200);
  // 'two' removed while its request is upstream.
  gateway.writeConfig("providers.json", { providers: { one: provider("one", { failure_threshold: 1 }) } });
  process.kill(gateway.pid, "SIGHUP");
  await eventually("the reload", async () => ((await health()).config.reloads > reloads ? true : undefined));
  const finished = await inFlight;
  expect(finished.status).toBe(200);
  expect(finished.headers.get("x-aisbf-provider")).toBe("two");
  expect((await chat(gateway.url, "two/gpt-4o-mini")).status).toBe(404);
  const now = await health();
  expect(now.providers.two).toBeUndefined();
  // The cooled-down target of 'one' is still known.
  expect(JSON.stringify(now)).toContain("cooling_down");
});
