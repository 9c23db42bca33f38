// Watchdog deadlines for one target: rotation settings over provider settings over these defaults.
import type { ProviderConfig, TimeoutsConfig } from "../config/schema.ts";

export interface Deadlines {
  /** Streaming: response headers must arrive within this. */
  headersMs: number;
  /** Streaming: first content (text, tool call, reasoning) after headers. Generous: reasoning models think first. */
  firstContentMs: number;
  /** Streaming: longest silence between chunks once content flows. */
  idleMs: number;
  /** Non-streaming: the whole answer (headers only come with it). */
  totalMs: number;
}

export const DEFAULT_DEADLINES: Deadlines = {
  headersMs: 10_000,
  firstContentMs: 30_000,
  idleMs: 60_000,
  totalMs: 300_000,
};

/** A provider's own deadlines, per config object: every request asks, most without rotation overrides. */
const providerDeadlines = new WeakMap<ProviderConfig, Deadlines>();

export function deadlinesFor(provider: ProviderConfig, rotation?: TimeoutsConfig): Readonly<Deadlines> {
  if (rotation !== undefined) return computeDeadlines(provider, rotation);
  let deadlines = providerDeadlines.get(provider);
  if (!deadlines) {
    deadlines = Object.freeze(computeDeadlines(provider, undefined));
    providerDeadlines.set(provider, deadlines);
  }
  return deadlines;
}

function computeDeadlines(provider: ProviderConfig, rotation: TimeoutsConfig | undefined): Deadlines {
  const fromProvider = provider.timeouts ?? {};
  const pick = (key: keyof TimeoutsConfig, fallback: number) =>
    rotation?.[key] ?? fromProvider[key] ?? fallback;
  return {
    headersMs: pick("headers_ms", DEFAULT_DEADLINES.headersMs),
    firstContentMs: pick("first_content_ms", DEFAULT_DEADLINES.firstContentMs),
    idleMs: pick("idle_ms", DEFAULT_DEADLINES.idleMs),
    totalMs: pick("total_ms", provider.timeout_ms ?? DEFAULT_DEADLINES.totalMs),
  };
}
