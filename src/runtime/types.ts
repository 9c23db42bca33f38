// The few things Bun and Deno do differently, behind one interface.
import type { SseWriter } from "./sse-writer.ts";

/**
 * What the runtime lets the app know and change about a request's connection. One object per server, handed to
 * the app's fetch with each request (Hono's env), so nothing is allocated per request for it.
 */
export interface Connections {
  /** The client's IP address; undefined when the runtime cannot tell (the request is gone). */
  clientAddress(request: Request): string | undefined;
  /**
   * The gateway itself is about to take time (reading the body, waiting on an upstream, streaming its answer): the
   * connection's idle timeout must not cut it. The app's own deadlines bound that time instead.
   */
  holdOpen(request: Request): void;
  /**
   * The answer is (about to be) sent in full: the connection idles under the idle timeout again. Must be called
   * before the last bytes go out; on Bun a call after the response has ended no longer reaches the connection.
   */
  releaseHold(request: Request): void;
}

export interface ServeOptions {
  hostname: string;
  port: number;
  fetch: (request: Request, connections: Connections) => Response | Promise<Response>;
  /** Largest request body the runtime itself accepts (the app enforces its own, smaller, limit). */
  maxRequestBodySize: number;
  /**
   * Seconds a connection may sit without traffic (between keep-alive requests, or between the bytes of a request's
   * headers) before the runtime closes it. Where the runtime offers no such setting (Deno) its own behaviour holds.
   */
  idleTimeoutSeconds: number;
}

export interface RunningServer {
  /** The port actually bound (useful with port 0). */
  port: number;
  hostname: string;
  /** Stops accepting; with `graceful`, resolves once in-flight requests and streams have finished. */
  stop(graceful: boolean): Promise<void>;
}

export interface DetachedOptions {
  /** Program and arguments; the program is an absolute path. */
  command: string[];
  env: Record<string, string | undefined>;
  cwd: string;
  /** stdout and stderr are appended to this file (created 0600). */
  logPath: string;
}

export interface DetachedChild {
  pid: number;
  /** Resolves with the exit code (or the signal's name) if the child ends while we are still running. */
  exited: Promise<number | string>;
}

export interface Runtime {
  /** Writes an answer's server-sent events into its response (Bun: a direct stream; elsewhere a standard one). */
  sseWriter: SseWriter;
  name: "bun" | "deno";
  version: string;
  serve(options: ServeOptions): Promise<RunningServer>;
  /** Calls `handler` on SIGINT and SIGTERM. */
  onShutdownSignal(handler: (signal: string) => void): void;
  /** Calls `handler` on SIGHUP: reload the config. */
  onReloadSignal(handler: () => void): void;
  /**
   * The command line that runs this program again: the compiled binary itself, or the runtime with the
   * entry file when run from source. The daemon and the service units start the server with it.
   */
  selfCommand(): string[];
  /** Starts a program in its own session, stdin closed, output to a log file; it outlives this process. */
  spawnDetached(options: DetachedOptions): DetachedChild;
}
