// Sends what libraries write to the console through our logger, so it is redacted and keeps the chosen format.
import { inspect } from "node:util";
import type { Logger } from "./logger.ts";

/**
 * SDKs write warnings straight to the console (deprecated models...). Every method is replaced, not only warn and
 * error: in JSON mode one stray console.log line would break a collector that parses each line.
 */
export function routeConsoleTo(logger: Logger): void {
  const text = (args: unknown[]) =>
    args.map((arg) => (typeof arg === "string" ? arg : inspect(arg))).join(" ");
  console.debug = (...args: unknown[]) => logger.debug(text(args));
  console.log = (...args: unknown[]) => logger.info(text(args));
  console.info = (...args: unknown[]) => logger.info(text(args));
  console.warn = (...args: unknown[]) => logger.warn(text(args));
  console.error = (...args: unknown[]) => logger.error(text(args));
  console.trace = (...args: unknown[]) => logger.debug(text(args));
}
