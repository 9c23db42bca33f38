// Checks for option values: an empty value is never "use the default", a number is written as one (no '', 0x10, 1e3).
import { UsageError } from "./usage-error.ts";

const WHOLE = /^\d+$/;
const DECIMAL = /^\d+(\.\d+)?$/;
/** setTimeout's limit: a longer wait would fire at once. */
const MAX_TIMER_S = 2_147_483;

/** `name` is the flag or variable the value came from (--port, AISBF_PORT), for the message. */
export function portValue(name: string, value: string): number {
  const port = WHOLE.test(value) ? Number(value) : Number.NaN;
  if (!(port >= 0 && port <= 65535))
    throw new UsageError(`${name}: not a port number: '${value}' (0-65535; 0 picks a free port)`);
  return port;
}

/** A number of seconds, fractions allowed; `positive` refuses 0. */
export function secondsValue(name: string, value: string, options: { positive: boolean }): number {
  const seconds = DECIMAL.test(value) ? Number(value) : Number.NaN;
  const low = options.positive ? seconds > 0 : seconds >= 0;
  if (!(low && seconds <= MAX_TIMER_S))
    throw new UsageError(
      `${name}: not a number of seconds: '${value}' (${options.positive ? "more than 0" : "0 or more"}, at most ${MAX_TIMER_S})`,
    );
  return seconds;
}

/** A whole number of at least 1. */
export function countValue(name: string, value: string): number {
  const count = WHOLE.test(value) ? Number(value) : Number.NaN;
  if (!(count >= 1 && Number.isSafeInteger(count)))
    throw new UsageError(`${name}: not a whole number of at least 1: '${value}'`);
  return count;
}

/**
 * Refuses an option given an empty value (`--config-dir ''`, `--host=`): taken as absent, it would silently
 * mean the default directory or a wildcard address.
 */
export function rejectEmptyValues(
  values: Record<string, string | boolean | (string | boolean)[] | undefined>,
): void {
  for (const [name, value] of Object.entries(values)) {
    const given = Array.isArray(value) ? value : [value];
    if (given.some((item) => item === ""))
      throw new UsageError(`--${name}: empty (leave the option out to use the default)`);
  }
}
