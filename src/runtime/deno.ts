// Deno's serve and signals. Deno's globals are declared here, the one file that touches them.
import type { Runtime } from "./types.ts";

interface DenoHttpServer {
  finished: Promise<void>;
  shutdown(): Promise<void>;
  addr: { hostname: string; port: number };
}

interface DenoNamespace {
  version: { deno: string };
  serve(
    options: {
      hostname: string;
      port: number;
      onListen?: (addr: { hostname: string; port: number }) => void;
    },
    handler: (request: Request) => Response | Promise<Response>,
  ): DenoHttpServer;
  addSignalListener(signal: "SIGINT" | "SIGTERM", handler: () => void): void;
}

function deno(): DenoNamespace {
  return (globalThis as unknown as { Deno: DenoNamespace }).Deno;
}

export const denoRuntime: Runtime = {
  name: "deno",
  version: "Deno" in globalThis ? deno().version.deno : "",
  async serve(options) {
    const server = deno().serve(
      { hostname: options.hostname, port: options.port, onListen: () => {} },
      options.fetch,
    );
    return {
      port: server.addr.port,
      hostname: server.addr.hostname,
      // Deno.serve's shutdown already waits for in-flight responses to finish.
      stop: async () => {
        await server.shutdown();
      },
    };
  },
  onShutdownSignal(handler) {
    deno().addSignalListener("SIGINT", () => handler("SIGINT"));
    deno().addSignalListener("SIGTERM", () => handler("SIGTERM"));
  },
};
