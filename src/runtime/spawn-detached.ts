// Detached start through node:child_process, which Bun and Deno both implement (setsid, fd redirection).
import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import type { DetachedChild, DetachedOptions } from "./types.ts";

export function spawnDetachedWithNode(options: DetachedOptions): DetachedChild {
  const [program, ...args] = options.command;
  if (program === undefined) throw new Error("spawnDetached: empty command");
  const log = openSync(options.logPath, "a", 0o600);
  try {
    const child = spawn(program, args, {
      cwd: options.cwd,
      env: options.env as NodeJS.ProcessEnv,
      detached: true,
      stdio: ["ignore", log, log],
      windowsHide: true,
    });
    const exited = new Promise<number | string>((resolve) => {
      child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown"));
      child.once("error", (error) => resolve(error.message));
    });
    // unref: this process may exit while the child keeps running.
    child.unref();
    if (child.pid === undefined) throw new Error(`cannot start ${program}`);
    return { pid: child.pid, exited };
  } finally {
    // The child holds its own copy of the descriptor.
    closeSync(log);
  }
}
