// How `serve` stops on SIGINT/SIGTERM: a grace period for in-flight work, then what is still open is cut, each
// stream with a final error event rather than a silent reset.
import { GatewayError } from "../api/errors.ts";
import type { Logger } from "../log/logger.ts";
import type { RunningServer, Runtime } from "../runtime/index.ts";

/** After the streams' error events are written, how long the runtime gets to send them before it closes by force. */
const FLUSH_MS = 1000;

export type ShutdownOutcome = { forced: false } | { forced: true; graceMs: number };

/** The error each stream still open at the end of the grace gets in-band, in OpenAI's shape. */
export function shutdownCutError(graceMs: number): GatewayError {
  return new GatewayError(
    `The gateway is shutting down: this answer was still streaming when its ${graceMs / 1000} s shutdown grace ended, and is incomplete`,
    { status: 503, type: "server_error", code: "server_shutting_down", kind: "transient" },
  );
}

/**
 * Resolves once a signal has stopped the server: when in-flight requests and streams are done, or, if they are
 * not within `graceMs`, once `stopping` has given each open stream its error event and the rest was closed.
 */
export function waitForShutdown(
  runtime: Runtime,
  server: RunningServer,
  logger: Logger,
  options: { graceMs: number; stopping: AbortController },
): Promise<ShutdownOutcome> {
  return new Promise<ShutdownOutcome>((resolve) => {
    let begun = false;
    runtime.onShutdownSignal((signal) => {
      if (begun) return;
      begun = true;
      logger.info("shutting down: finishing in-flight requests", { signal, grace_s: options.graceMs / 1000 });
      shutDown(server, logger, options.graceMs, options.stopping).then(resolve);
    });
  });
}

async function shutDown(
  server: RunningServer,
  logger: Logger,
  graceMs: number,
  stopping: AbortController,
): Promise<ShutdownOutcome> {
  const drained = server.stop(true);
  if (await settlesWithin(drained, graceMs)) return { forced: false };
  logger.warn("shutdown grace ended: cutting what is still open; each open stream gets a final error event", {
    grace_s: graceMs / 1000,
  });
  stopping.abort(shutdownCutError(graceMs));
  // The streams end themselves now and the graceful stop completes; a request still waiting on its upstream
  // holds it, and is closed by force. Neither wait is unbounded: the process exits after this either way.
  if (!(await settlesWithin(drained, FLUSH_MS))) await settlesWithin(server.stop(false), FLUSH_MS);
  return { forced: true, graceMs };
}

function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  return Promise.race([
    promise.then(
      () => true,
      () => true,
    ),
    timeout,
  ]).finally(() => clearTimeout(timer));
}
