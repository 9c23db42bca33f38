// Test support for routing: scripted fake adapters, a dispatcher's deps with an injected clock, stream readers.

import { GatewayError, streamCutError, UpstreamError } from "../api/errors.ts";
import { chatClientRequest } from "../api/openai-chat/client-request.ts";
import type { CanonicalResponse } from "../canonical/response.ts";
import type { StreamEvent, StreamFrame } from "../canonical/stream.ts";
import type { ProviderConfig, ProviderType } from "../config/schema.ts";
import { silentLogger } from "../log/logger.ts";
import type { ChatAttempt, ChatResult, ProviderAdapter } from "../providers/types.ts";
import { createPrefillRefusals } from "./capabilities.ts";
import type { ChunkSource } from "./committed-stream.ts";
import { createMemoryHealthStore, type HealthStore } from "./health.ts";
import type { ClientRequest, DispatchDeps, Route } from "./types.ts";

/** What a fake upstream does for one call: answer, fail, or stream text parts (then end, cut or stall). */
export type Script =
  | { answer: string }
  | { error: GatewayError }
  | { stream: string[]; then?: "end" | "cut" | "stall" };

export interface FakeCall {
  model: string;
  prefill: string | undefined;
}

export interface FakeProvider {
  config: ProviderConfig;
  calls: FakeCall[];
  /** Decides each call, given the call and how many came before it. */
  script: (call: FakeCall, index: number) => Script;
}

function answerOf(id: string, text: string): CanonicalResponse {
  return { id, model: "m", created: 1, content: [{ type: "text", text }], stopReason: "end_turn" };
}

/** The frames of `parts`: the first starts the answer and its text block, the last ends it unless cut or stalled. */
function frameOf(id: string, index: number, parts: string[], ends: boolean): StreamFrame {
  const events: StreamEvent[] = [];
  if (index === 0) {
    events.push({ type: "start", id, model: "m", created: 1 });
    events.push({ type: "block_start", index: 0, block: { type: "text" } });
  }
  events.push({ type: "block_delta", index: 0, delta: { type: "text", text: parts[index] as string } });
  if (ends && index === parts.length - 1) {
    events.push({ type: "block_stop", index: 0 }, { type: "finish", stopReason: "end_turn" });
  }
  return { events };
}

/** A stream of `parts` as frames, the last one finishing the answer unless the script cuts or stalls it. */
function streamOf(providerId: string, parts: string[], then: "end" | "cut" | "stall", signal: AbortSignal) {
  let index = 0;
  const id = `chatcmpl-${providerId}-${Math.random().toString(36).slice(2, 8)}`;
  return new ReadableStream<StreamFrame>({
    pull(controller) {
      if (index < parts.length) {
        controller.enqueue(frameOf(id, index, parts, then === "end"));
        index++;
        return;
      }
      if (then === "end") controller.close();
      else if (then === "cut") controller.error(streamCutError(providerId));
      else {
        // Stalls until the attempt's signal aborts, as an upstream that stops sending does.
        return new Promise<void>((_resolve, reject) => {
          signal.addEventListener("abort", () => reject(signal.reason), { once: true });
        });
      }
    },
  });
}

export function fakeProvider(
  id: string,
  script: FakeProvider["script"],
  extra: Partial<ProviderConfig> = {},
) {
  const provider: FakeProvider = {
    config: {
      id,
      name: id,
      type: "openai",
      endpoint: `http://127.0.0.1:9/${id}`,
      ...extra,
    } as ProviderConfig,
    calls: [],
    script,
  };
  return provider;
}

/** One adapter for every provider type, dispatching on the provider id to its fake. */
function fakeAdapter(fakes: Map<string, FakeProvider>): ProviderAdapter {
  return {
    capabilities: { prefill: true, images: true, tools: true, thinking: true, documents: true },
    async chat(attempt: ChatAttempt): Promise<ChatResult> {
      const fake = fakes.get(attempt.provider.id);
      if (!fake) throw new Error(`no fake for ${attempt.provider.id}`);
      const call = { model: attempt.model, prefill: attempt.prefill };
      const script = fake.script(call, fake.calls.length);
      fake.calls.push(call);
      if ("error" in script) throw script.error;
      if ("answer" in script) {
        const response = answerOf(fake.config.id, script.answer);
        return { kind: "answer", response: () => response, warnings: [] };
      }
      const frames = streamOf(fake.config.id, script.stream, script.then ?? "end", attempt.signal);
      return { kind: "frames", frames, warnings: [] };
    },
    async listModels() {
      return [];
    },
  };
}

export interface FakeWorld {
  deps: DispatchDeps;
  health: HealthStore;
  advance(ms: number): void;
  now(): number;
}

export function fakeWorld(fakes: FakeProvider[]): FakeWorld {
  let now = 1_700_000_000_000;
  const clock = () => now;
  const health = createMemoryHealthStore(clock);
  const byId = new Map(fakes.map((fake) => [fake.config.id, fake]));
  const adapter = fakeAdapter(byId);
  const adapters = { openai: adapter, anthropic: adapter, google: adapter, ollama: adapter } as Record<
    ProviderType,
    ProviderAdapter
  >;
  const deps: DispatchDeps = {
    adapters,
    providers: Object.fromEntries(fakes.map((fake) => [fake.config.id, fake.config])),
    health,
    prefillRefusals: createPrefillRefusals(),
    clock,
    random: () => 0,
    logger: silentLogger,
    keyFor: () => undefined,
  };
  return {
    deps,
    health,
    advance: (ms) => {
      now += ms;
    },
    now: clock,
  };
}

export function rotation(name: string, members: FakeProvider[], extra: Partial<Route> = {}): Route {
  return {
    name,
    isRotation: true,
    candidates: members.map((member, index) => ({
      providerId: member.config.id,
      model: `${member.config.id}-model`,
      weight: members.length - index,
    })),
    strategy: "priority",
    maxAttempts: 6,
    maxRetryWaitMs: 5_000,
    continueOnCut: false,
    ...extra,
  };
}

export function chatRequest(stream = false): ClientRequest {
  return chatClientRequest({ model: "x", messages: [{ role: "user", content: "hi" }], stream });
}

export function upstreamStatus(providerId: string, status: number, message: string): UpstreamError {
  const kind = status === 429 ? "rate_limited" : status >= 500 ? "transient" : "client";
  return new UpstreamError(providerId, message, { status, type: "api_error", kind });
}

/** Reads a committed stream to its end: the text delivered, the answer ids it started, and the error it ended with. */
export async function readAll(
  source: ChunkSource,
): Promise<{ text: string; ids: Set<string>; error?: unknown }> {
  let text = "";
  const ids = new Set<string>();
  try {
    for (let frame = await source.next(); frame; frame = await source.next()) {
      for (const event of frame.events) {
        if (event.type === "start") ids.add(event.id);
        if (event.type === "block_delta" && event.delta.type === "text") text += event.delta.text;
      }
    }
    return { text, ids };
  } catch (error) {
    return { text, ids, error };
  }
}
