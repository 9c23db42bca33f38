// What to do after a failed attempt: retry the same target, move on, or give the error to the client.
import type { GatewayError } from "../api/errors.ts";
import { retryDelayMs } from "./retry-after.ts";

export type Decision =
  | { action: "retry"; delayMs: number }
  | { action: "next"; retryAfterMs?: number }
  | { action: "fail" };

export interface PolicyInput {
  error: GatewayError;
  /** Attempts already made on this target within this request (1 after the first). */
  attemptsOnTarget: number;
  maxRetryWaitMs: number;
  now: number;
  random: () => number;
}

/** 0.5-1 s: long enough for a blip to pass, short enough for an interactive client. */
function transientBackoff(random: () => number): number {
  return 500 + Math.floor(random() * 500);
}

export function decide({ error, attemptsOnTarget, maxRetryWaitMs, now, random }: PolicyInput): Decision {
  // Never more than two attempts on one target in one request: no hammering.
  const mayRetry = attemptsOnTarget < 2;
  switch (error.kind) {
    case "client":
    case "internal":
      return { action: "fail" };
    case "transient":
    case "bad_response":
      return mayRetry ? { action: "retry", delayMs: transientBackoff(random) } : { action: "next" };
    case "rate_limited": {
      const wait = retryDelayMs(error.retryHints, now);
      if (wait === undefined) {
        return mayRetry
          ? { action: "retry", delayMs: 1000 + Math.floor(random() * 250) }
          : { action: "next" };
      }
      if (mayRetry && wait <= maxRetryWaitMs) return { action: "retry", delayMs: wait };
      return { action: "next", retryAfterMs: wait };
    }
    case "silent":
    case "context_length":
    case "misconfigured":
    case "unsupported":
      return { action: "next" };
  }
}
