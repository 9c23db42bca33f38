// Retry hints -> milliseconds to wait: retry-after-ms, then Retry-After (seconds or HTTP-date), then Gemini RetryInfo.
import type { RetryHints } from "../api/errors.ts";

const MAX_HINT_MS = 24 * 60 * 60 * 1000;

function clamp(ms: number): number | undefined {
  if (!Number.isFinite(ms) || ms < 0) return undefined;
  return Math.min(Math.ceil(ms), MAX_HINT_MS);
}

/** Parses "1.5", "120" (seconds) or an HTTP-date ("Wed, 21 Oct 2015 07:28:00 GMT"). */
export function parseRetryAfterHeader(value: string, now: number): number | undefined {
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return clamp(Number(trimmed) * 1000);
  // An HTTP-date names its month; anything else (e.g. "-5") is not a hint, however Date.parse reads it.
  if (!/[A-Za-z]{3}/.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return clamp(Math.max(0, date - now));
}

/** google.protobuf.Duration JSON form: "23s", "1.5s", "0.250s". */
export function parseDuration(value: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)s$/.exec(value.trim());
  return match?.[1] === undefined ? undefined : clamp(Number(match[1]) * 1000);
}

/** An epoch reset time in ms (13 digits) or seconds (10 digits); anything else is not a usable hint. */
export function parseResetTime(value: string, now: number): number | undefined {
  const trimmed = value.trim();
  if (!/^\d{10}(\d{3})?$/.test(trimmed)) return undefined;
  const at = trimmed.length === 13 ? Number(trimmed) : Number(trimmed) * 1000;
  return clamp(Math.max(0, at - now));
}

/** The wait an upstream asked for, in ms, or undefined when it gave no usable hint. */
export function retryDelayMs(hints: RetryHints | undefined, now: number): number | undefined {
  if (!hints) return undefined;
  if (hints.retryAfterMs) {
    const ms = Number(hints.retryAfterMs.trim());
    const value = Number.isNaN(ms) ? undefined : clamp(ms);
    if (value !== undefined) return value;
  }
  if (hints.retryAfter) {
    const value = parseRetryAfterHeader(hints.retryAfter, now);
    if (value !== undefined) return value;
  }
  if (hints.retryDelay) {
    const value = parseDuration(hints.retryDelay);
    if (value !== undefined) return value;
  }
  if (hints.rateLimitReset) return parseResetTime(hints.rateLimitReset, now);
  return undefined;
}
