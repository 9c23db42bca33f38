// Deno's serve, signals and how to run this program again. Deno's globals are declared here, the one file that touches them.

import { fileURLToPath } from "node:url";
import { spawnDetachedWithNode } from "./spawn-detached.ts";
import { standardSseWriter } from "./sse-writer.ts";
import type { Connections, Runtime } from "./types.ts";

/** What the server needs; the same as `deno task start` (deno.json). */
const SERVER_PERMISSIONS = [
  "--allow-net",
  "--allow-env",
  "--allow-read",
  "--allow-write",
  "--allow-sys",
  "--unstable-no-legacy-abort",
];

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
    handler: (request: Request, info: { remoteAddr: { hostname: string } }) => Response | Promise<Response>,
  ): DenoHttpServer;
  addSignalListener(signal: "SIGINT" | "SIGTERM" | "SIGHUP", handler: () => void): void;
  execPath(): string;
  mainModule: string;
}

function deno(): DenoNamespace {
  return (globalThis as unknown as { Deno: DenoNamespace }).Deno;
}

export const denoRuntime: Runtime = {
  sseWriter: standardSseWriter,
  name: "deno",
  version: "Deno" in globalThis ? deno().version.deno : "",
  async serve(options) {
    // Deno hands the client's address to the handler with each request; the app asks for it by request.
    const addresses = new WeakMap<Request, string>();
    const connections: Connections = {
      clientAddress: (request) => addresses.get(request),
      // Deno.serve has no idle timeout to lift or set (options.idleTimeoutSeconds has no effect here): its own
      // connection handling holds, and the app's deadlines bound a request as on Bun.
      holdOpen: () => {},
      releaseHold: () => {},
    };
    const server = deno().serve(
      { hostname: options.hostname, port: options.port, onListen: () => {} },
      (request, info) => {
        addresses.set(request, info.remoteAddr.hostname);
        return options.fetch(request, connections);
      },
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
  onReloadSignal(handler) {
    deno().addSignalListener("SIGHUP", handler);
  },
  selfCommand() {
    const main = deno().mainModule;
    // A `deno compile` binary carries its entry inside; run from source, the entry is a file URL.
    if (!main.startsWith("file:")) return [deno().execPath()];
    return [deno().execPath(), "run", ...SERVER_PERMISSIONS, fileURLToPath(main)];
  },
  spawnDetached: spawnDetachedWithNode,
};
