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
  name: "bun" | "deno";
  version: string;
  serve(options: ServeOptions): Promise<RunningServer>;
  /** Calls `handler` on SIGINT and SIGTERM. */
  onShutdownSignal(handler: (signal: string) => void): void;
  /**
   * The command line that runs this program again: the compiled binary itself, or the runtime with the
   * entry file when run from source. The daemon and the service units start the server with it.
   */
  selfCommand(): string[];
  /** Starts a program in its own session, stdin closed, output to a log file; it outlives this process. */
  spawnDetached(options: DetachedOptions): DetachedChild;
}
