// Bun's serve, signals and how to run this program again.
import { spawnDetachedWithNode } from "./spawn-detached.ts";
import type { Runtime } from "./types.ts";

/** Inside a `bun build --compile` binary the entry lives in Bun's embedded file system. */
function isCompiled(): boolean {
  return Bun.main.startsWith("/$bunfs/") || Bun.main.includes("~BUN");
}

export const bunRuntime: Runtime = {
  name: "bun",
  version: typeof Bun === "undefined" ? "" : Bun.version,
  async serve(options) {
    const server = Bun.serve({
      hostname: options.hostname,
      port: options.port,
      fetch: options.fetch,
      maxRequestBodySize: options.maxRequestBodySize,
      // 0 disables Bun's 10 s idle timeout: a reasoning model may think for minutes before its first byte.
      idleTimeout: 0,
    });
    return {
      port: server.port ?? options.port,
      hostname: server.hostname ?? options.hostname,
      stop: async (graceful) => {
        await server.stop(!graceful);
      },
    };
  },
  onShutdownSignal(handler) {
    process.on("SIGINT", () => handler("SIGINT"));
    process.on("SIGTERM", () => handler("SIGTERM"));
  },
  selfCommand() {
    return isCompiled() ? [process.execPath] : [process.execPath, Bun.main];
  },
  spawnDetached: spawnDetachedWithNode,
};
