// The few things Bun and Deno do differently, behind one interface.

export interface ServeOptions {
  hostname: string;
  port: number;
  fetch: (request: Request) => Response | Promise<Response>;
  /** Largest request body the runtime itself accepts (the app enforces its own, smaller, limit). */
  maxRequestBodySize: number;
}

export interface RunningServer {
  /** The port actually bound (useful with port 0). */
  port: number;
  hostname: string;
  /** Stops accepting; with `graceful`, resolves once in-flight requests and streams have finished. */
  stop(graceful: boolean): Promise<void>;
}

export interface Runtime {
  name: "bun" | "deno";
  version: string;
  serve(options: ServeOptions): Promise<RunningServer>;
  /** Calls `handler` on SIGINT and SIGTERM. */
  onShutdownSignal(handler: (signal: string) => void): void;
}
