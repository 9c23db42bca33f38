// Bun's serve, signals and how to run this program again.

import type { Server } from "bun";
import { bunSseWriter } from "./bun-sse-writer.ts";
import { spawnDetachedWithNode } from "./spawn-detached.ts";
import type { Connections, RunningServer, Runtime, ServeOptions } from "./types.ts";

/** Inside a `bun build --compile` binary the entry lives in Bun's embedded file system. */
function isCompiled(): boolean {
  return Bun.main.startsWith("/$bunfs/") || Bun.main.includes("~BUN");
}

/** Bun takes whole seconds, at most 255; 0 would mean never. */
function idleSeconds(seconds: number): number {
  return Math.min(255, Math.max(1, Math.ceil(seconds)));
}

/**
 * Bun's idle timeout is per socket and counts while a request is pending or a response streams (writes do not
 * reset it), so a reasoning model thinking for minutes would be cut: a held request gets `timeout(request, 0)`,
 * and the idle timeout is set again before its answer ends, or the keep-alive connection would never time out
 * after it. Bun checks socket timeouts every 4 s, so a connection may idle up to 4 s longer than configured.
 * Synchronous, for tests; the Runtime interface wraps it in a promise.
 */
export function serveWithBun(options: ServeOptions): RunningServer {
  const idle = idleSeconds(options.idleTimeoutSeconds);
  // Filled in once Bun.serve returns, before the server can take a request.
  let server: Server<undefined> | undefined;
  const connections: Connections = {
    clientAddress: (request) => server?.requestIP(request)?.address,
    holdOpen: (request) => server?.timeout(request, 0),
    releaseHold: (request) => server?.timeout(request, idle),
  };
  server = Bun.serve({
    hostname: options.hostname,
    port: options.port,
    fetch: (request) => options.fetch(request, connections),
    maxRequestBodySize: options.maxRequestBodySize,
    idleTimeout: idle,
  });
  const running = server;
  return {
    port: running.port ?? options.port,
    hostname: running.hostname ?? options.hostname,
    stop: async (graceful) => {
      await running.stop(!graceful);
    },
  };
}

export const bunRuntime: Runtime = {
  sseWriter: bunSseWriter,
  name: "bun",
  version: typeof Bun === "undefined" ? "" : Bun.version,
  serve: async (options) => serveWithBun(options),
  onShutdownSignal(handler) {
    process.on("SIGINT", () => handler("SIGINT"));
    process.on("SIGTERM", () => handler("SIGTERM"));
  },
  onReloadSignal(handler) {
    process.on("SIGHUP", handler);
  },
  selfCommand() {
    return isCompiled() ? [process.execPath] : [process.execPath, Bun.main];
  },
  spawnDetached: spawnDetachedWithNode,
};
