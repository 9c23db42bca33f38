// Bun's serve and signals.
import type { Runtime } from "./types.ts";

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
};
