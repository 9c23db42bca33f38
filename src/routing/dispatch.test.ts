// Dispatch in process: fake adapters, an injected clock. Failover, deferred retries, probes, continuation.
import { describe, expect, test } from "bun:test";
import { messagesClientRequest } from "../api/anthropic-messages/client-request.ts";
import type { MessagesRequest } from "../api/anthropic-messages/schema.ts";
import { InvalidRequestError, UpstreamError } from "../api/errors.ts";
import { dispatch } from "./dispatch.ts";
import { healthPolicyFor } from "./failures.ts";
import {
  chatRequest,
  type FakeProvider,
  type FakeWorld,
  fakeProvider,
  fakeWorld,
  readAll,
  rotation,
  upstreamStatus,
} from "./testing.ts";
import type { Served } from "./types.ts";

const never = new AbortController().signal;

function answerOf(served: Served): string | undefined {
  if (served.kind !== "completion") return undefined;
  const block = served.response().content[0];
  return block?.type === "text" ? block.text : undefined;
}

describe("recovery without waiting out the cooldown (default settings)", () => {
  test("primary 503 for 60 s then healthy, one request every 4 s: all answered, one attempt per request, back within 30 s", async () => {
    let world: FakeWorld | undefined;
    let upAt = 0;
    const primary = fakeProvider("primary", () =>
      (world?.now() ?? 0) >= upAt
        ? { answer: "from primary" }
        : { error: upstreamStatus("primary", 503, "down") },
    );
    const fallback = fakeProvider("fallback", () => ({ answer: "from fallback" }));
    world = fakeWorld([primary, fallback]);
    upAt = world.now() + 60_000;
    const route = rotation("pool", [primary, fallback]);
    let backAt: number | undefined;
    for (let t = 0; t <= 120_000; t += 4_000) {
      const before = primary.calls.length;
      const served = await dispatch(world.deps, route, chatRequest(), never);
      expect(primary.calls.length - before).toBeLessThanOrEqual(1);
      if (world.now() < upAt) expect(answerOf(served)).toBe("from fallback");
      else if (answerOf(served) === "from primary") backAt ??= world.now();
      world.advance(4_000);
    }
    expect(backAt).toBeDefined();
    expect((backAt as number) - upAt).toBeLessThanOrEqual(30_000);
    // Once back, it serves every request again.
    expect(answerOf(await dispatch(world.deps, route, chatRequest(), never))).toBe("from primary");
  });

  test("a probe gets exactly one attempt: no same-target retry while it is out", async () => {
    const down = fakeProvider("down", () => ({ error: upstreamStatus("down", 503, "down") }));
    const world = fakeWorld([down]);
    const route = rotation("solo", [down]);
    // Three failed requests (each a first attempt and its retry) take it out.
    for (let i = 0; i < 3; i++) await dispatch(world.deps, route, chatRequest(), never).catch(() => {});
    expect(down.calls).toHaveLength(6);
    world.advance(10_000);
    const error = await dispatch(world.deps, route, chatRequest(), never).catch((thrown) => thrown);
    expect(down.calls).toHaveLength(7);
    expect(error.status).toBe(503);
    // The next probe only after another interval; meanwhile the answer says when to come back.
    const refused = await dispatch(world.deps, route, chatRequest(), never).catch((thrown) => thrown);
    expect(down.calls).toHaveLength(7);
    expect(Number(refused.headers["retry-after"])).toBe(10);
  });
});

describe("retries", () => {
  test("a lone target's transient failure is retried once after the backoff", async () => {
    const flaky = fakeProvider("flaky", (_call, index) =>
      index === 0 ? { error: upstreamStatus("flaky", 500, "boom") } : { answer: "ok" },
    );
    const world = fakeWorld([flaky]);
    const served = await dispatch(world.deps, rotation("solo", [flaky]), chatRequest(), never);
    expect(answerOf(served)).toBe("ok");
    expect(served.attempts).toBe(2);
  });

  test("a client error is the answer: no retry, no failover, nothing held against the target", async () => {
    const strict = fakeProvider("strict", () => ({ error: new InvalidRequestError("bad request") }));
    const other = fakeProvider("other", () => ({ answer: "never" }));
    const world = fakeWorld([strict, other]);
    const error = await dispatch(world.deps, rotation("pool", [strict, other]), chatRequest(), never).catch(
      (thrown) => thrown,
    );
    expect(error.status).toBe(400);
    expect(error.headers["x-aisbf-provider"]).toBe("strict");
    expect(other.calls).toHaveLength(0);
    expect(world.health.snapshot().targets["strict/strict-model"]).toBeUndefined();
  });
});

describe("the trial after a cooldown (issue 14.2)", () => {
  function cooled(second: FakeProvider["script"]) {
    let calls = 0;
    const target = fakeProvider(
      "t",
      (call, index) => (calls++ < 3 ? { error: upstreamStatus("t", 503, "down") } : second(call, index)),
      { cooldown_seconds: 1, probe_interval_seconds: 600 },
    );
    const fallback = fakeProvider("f", () => ({ answer: "fallback" }));
    return { target, fallback, world: fakeWorld([target, fallback]) };
  }

  test("a trial refused for the client's own request frees the trial for the next request", async () => {
    let trial = 0;
    const { target, fallback, world } = cooled(() =>
      trial++ === 0 ? { error: new InvalidRequestError("your prompt is bad") } : { answer: "healthy" },
    );
    const route = rotation("pool", [target, fallback]);
    for (let i = 0; i < 3; i++) await dispatch(world.deps, route, chatRequest(), never);
    world.advance(1_001);
    expect((await dispatch(world.deps, route, chatRequest(), never).catch((e) => e)).status).toBe(400);
    const next = await dispatch(world.deps, route, chatRequest(), never);
    expect(answerOf(next)).toBe("healthy");
  });

  test("a failed trial starts a new cooldown of the configured length, not a 60 s lock", async () => {
    let trial = 0;
    const { target, fallback, world } = cooled(() =>
      trial++ === 0 ? { error: upstreamStatus("t", 502, "reset") } : { answer: "healthy" },
    );
    const route = rotation("pool", [target, fallback]);
    for (let i = 0; i < 3; i++) await dispatch(world.deps, route, chatRequest(), never);
    world.advance(1_001);
    expect(answerOf(await dispatch(world.deps, route, chatRequest(), never))).toBe("fallback");
    world.advance(1_001);
    expect(answerOf(await dispatch(world.deps, route, chatRequest(), never))).toBe("healthy");
  });
});

describe("continuing a cut stream", () => {
  const tokens = Array.from({ length: 60 }, (_, index) => `t${index} `);
  const whole = tokens.join("");

  /** Primary's stream is cut after 40 tokens; asked to continue, it sends the rest. */
  function cutPrimary() {
    return fakeProvider("primary", (call) =>
      call.prefill === undefined
        ? { stream: tokens.slice(0, 40), then: "cut" }
        : { stream: tokens.slice(call.prefill.split(" ").length - 1) },
    );
  }
  /** Answers 400 to any request that ends in an assistant message. */
  function refusingFallback() {
    return fakeProvider("fallback", (call) =>
      call.prefill !== undefined
        ? { error: new InvalidRequestError("final assistant message not supported") }
        : { stream: ["fallback answer"] },
    );
  }

  test("cut after 40 tokens: the whole answer arrives once, with no repeated text", async () => {
    const primary = cutPrimary();
    const fallback = refusingFallback();
    const world = fakeWorld([primary, fallback]);
    const route = rotation("pool", [primary, fallback], { continueOnCut: true });
    const served = await dispatch(world.deps, route, chatRequest(true), never);
    if (served.kind !== "stream") throw new Error("expected a stream");
    const { text, ids, error } = await readAll(served.chunks);
    expect(error).toBeUndefined();
    expect(text).toBe(whole);
    expect(ids.size).toBe(1);
    expect(primary.calls.map((call) => call.prefill)).toEqual([undefined, tokens.slice(0, 40).join("")]);
  });

  test("the cut target cannot continue and the fallback refuses: the client ends with the cut, not the 400", async () => {
    const primary = fakeProvider("primary", (call) =>
      call.prefill === undefined
        ? { stream: tokens.slice(0, 40), then: "cut" }
        : { error: upstreamStatus("primary", 503, "still down") },
    );
    const fallback = refusingFallback();
    const world = fakeWorld([primary, fallback]);
    const route = rotation("pool", [primary, fallback], { continueOnCut: true });
    const served = await dispatch(world.deps, route, chatRequest(true), never);
    if (served.kind !== "stream") throw new Error("expected a stream");
    const { text, error } = await readAll(served.chunks);
    expect(text).toBe(tokens.slice(0, 40).join(""));
    expect((error as Error).message).toContain("interrupted");
    expect((error as { status: number }).status).toBe(502);
    const refusals = fallback.calls.filter((call) => call.prefill !== undefined).length;
    expect(refusals).toBe(1);
    // Remembered: the next cut is not offered to the fallback again.
    const again = await dispatch(world.deps, route, chatRequest(true), never);
    if (again.kind !== "stream") throw new Error("expected a stream");
    await readAll(again.chunks);
    expect(fallback.calls.filter((call) => call.prefill !== undefined).length).toBe(refusals);
  });

  test("cut twice: one text block from start to stop, continued each time from all the text so far", async () => {
    const cutting = fakeProvider("primary", (_call, index) =>
      index === 0
        ? { stream: ["a ", "b "], then: "cut" }
        : index === 1
          ? { stream: ["c "], then: "cut" }
          : { stream: ["d"] },
    );
    const world = fakeWorld([cutting]);
    const route = rotation("pool", [cutting], { continueOnCut: true });
    const served = await dispatch(world.deps, route, chatRequest(true), never);
    if (served.kind !== "stream") throw new Error("expected a stream");
    const events = [];
    for (let frame = await served.chunks.next(); frame; frame = await served.chunks.next()) {
      events.push(...frame.events);
    }
    const structure = events
      .filter((event) => event.type !== "block_delta")
      .map((event) => ("index" in event ? `${event.type}:${event.index}` : event.type));
    expect(structure).toEqual(["start", "block_start:0", "block_stop:0", "finish"]);
    expect(cutting.calls.map((call) => call.prefill)).toEqual([undefined, "a b ", "a b c "]);
  });

  test("a target declared unable to prefill is never asked to continue", async () => {
    const primary = cutPrimary();
    primary.config.supports_prefill = false;
    const fallback = fakeProvider("fallback", () => ({ stream: ["never"] }), { supports_prefill: false });
    const world = fakeWorld([primary, fallback]);
    const route = rotation("pool", [primary, fallback], { continueOnCut: true });
    const served = await dispatch(world.deps, route, chatRequest(true), never);
    if (served.kind !== "stream") throw new Error("expected a stream");
    const { error } = await readAll(served.chunks);
    expect(error).toBeDefined();
    expect(primary.calls).toHaveLength(1);
    expect(fallback.calls).toHaveLength(0);
  });

  test("a stream that stalls after content ends at the idle deadline with an in-band error", async () => {
    const stalls = fakeProvider("stalls", () => ({ stream: ["partial "], then: "stall" }), {
      timeouts: { idle_ms: 50 },
    });
    const world = fakeWorld([stalls]);
    const served = await dispatch(world.deps, rotation("solo", [stalls]), chatRequest(true), never);
    if (served.kind !== "stream") throw new Error("expected a stream");
    const { text, error } = await readAll(served.chunks);
    expect(text).toBe("partial ");
    expect((error as Error).message).toContain("the next chunk did not arrive within 50 ms");
    expect(world.health.snapshot().targets["stalls/stalls-model"]?.consecutive_failures).toBe(1);
  });

  test("a client that leaves mid-stream holds nothing against the target", async () => {
    const slow = fakeProvider("slow", () => ({ stream: ["a", "b"], then: "stall" }));
    const world = fakeWorld([slow]);
    const client = new AbortController();
    const served = await dispatch(world.deps, rotation("solo", [slow]), chatRequest(true), client.signal);
    if (served.kind !== "stream") throw new Error("expected a stream");
    await served.chunks.next();
    await served.chunks.next();
    const pending = served.chunks.next();
    client.abort();
    served.chunks.cancel();
    expect(await pending).toBeUndefined();
    expect(world.health.snapshot().targets["slow/slow-model"]?.consecutive_failures ?? 0).toBe(0);
  });
});

describe("targets that cannot take the request", () => {
  const pdfRequest = () =>
    messagesClientRequest(
      {
        model: "x",
        max_tokens: 16,
        messages: [
          {
            role: "user",
            content: [
              { type: "document", source: { type: "base64", media_type: "application/pdf", data: "JVBE" } },
            ],
          },
        ],
      } as MessagesRequest,
      () => undefined,
    );

  test("passed by without an attempt, a probe or a health mark; the next target answers", async () => {
    const blind = fakeProvider("blind", () => ({ answer: "never" }), { supports_documents: false });
    const reader = fakeProvider("reader", () => ({ answer: "read it" }));
    const world = fakeWorld([blind, reader]);
    const served = await dispatch(world.deps, rotation("pool", [blind, reader]), pdfRequest(), never);
    expect(answerOf(served)).toBe("read it");
    expect(served.attempts).toBe(1);
    expect(blind.calls).toHaveLength(0);
    expect(
      world.health.availability({ providerId: "blind", model: "blind-model" }, healthPolicyFor(blind.config)),
    ).toMatchObject({ available: true });
  });

  test("none can: a 400 naming the field; the one that could is rate limited: a 429 with its Retry-After", async () => {
    const blind = fakeProvider("blind", () => ({ answer: "never" }), { supports_documents: false });
    const limited = new UpstreamError("reader", "slow down", {
      status: 429,
      type: "rate_limit_error",
      kind: "rate_limited",
      retryHints: { retryAfter: "60" },
    });
    const reader = fakeProvider("reader", () => ({ error: limited }));
    const world = fakeWorld([blind, reader]);
    const alone = await dispatch(world.deps, rotation("blind-only", [blind]), pdfRequest(), never).catch(
      (thrown) => thrown,
    );
    expect(alone).toMatchObject({
      status: 400,
      type: "invalid_request_error",
      param: "messages[0].content[0]",
    });
    expect(alone.headers["retry-after"]).toBeUndefined();
    const both = await dispatch(world.deps, rotation("pool", [blind, reader]), pdfRequest(), never).catch(
      (thrown) => thrown,
    );
    expect(both).toMatchObject({ status: 429, type: "rate_limit_error" });
    expect(both.message).toContain("blind/blind-model: skipped: reads no PDF documents");
    expect(both.headers["retry-after"]).toBe("60");
  });
});
