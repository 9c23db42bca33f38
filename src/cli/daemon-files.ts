// The daemon's per-user files (PID file, state file, log) and whether a recorded PID is still our server.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { z } from "zod";

export interface DaemonFiles {
  /** Holds the server's own PID, one line, like any PID file. */
  pidFile: string;
  /** What `status` and `stop` need besides the PID: the address actually bound (port 0 included). */
  stateFile: string;
  logFile: string;
}

/**
 * `$XDG_RUNTIME_DIR/aisbf.pid` when the runtime dir exists (per user, cleared at logout), else
 * `<config dir>/aisbf.pid`. A config dir other than ~/.aisbf gets its own name in the runtime dir so
 * that one daemon per config dir can run. The log always sits in the config dir.
 */
export function daemonFiles(
  configDir: string,
  env: Record<string, string | undefined>,
  home: string = homedir(),
): DaemonFiles {
  const runtimeDir = env.XDG_RUNTIME_DIR;
  let base: string;
  if (runtimeDir && existsSync(runtimeDir)) {
    const isDefault = configDir === join(home, ".aisbf");
    const suffix = isDefault ? "" : `-${createHash("sha256").update(configDir).digest("hex").slice(0, 12)}`;
    base = join(runtimeDir, `aisbf${suffix}`);
  } else {
    base = join(configDir, "aisbf");
  }
  return {
    pidFile: `${base}.pid`,
    stateFile: stateFileFor(`${base}.pid`),
    logFile: join(configDir, "aisbf.log"),
  };
}

/** The state file sits beside the PID file: `aisbf.pid` -> `aisbf.state.json`. */
export function stateFileFor(pidFile: string): string {
  return `${pidFile.replace(/\.pid$/, "")}.state.json`;
}

/** An address clients can reach: a wildcard listen address is reached on loopback. */
export function localUrl(hostname: string, port: number): string {
  const host = hostname === "0.0.0.0" ? "127.0.0.1" : hostname === "::" ? "::1" : hostname;
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

const stateSchema = z.object({
  pid: z.number().int().positive(),
  url: z.string(),
  config_dir: z.string(),
  started_at: z.string(),
  /** The server's shutdown grace: `stop` waits a little longer before SIGKILL. */
  shutdown_grace_ms: z.number().nonnegative().optional(),
  /** Written as the server exits when its grace ended with work still open; `stop` reports it. */
  forced_stop: z.object({ at: z.string(), grace_ms: z.number().nonnegative() }).optional(),
});
export type DaemonState = z.infer<typeof stateSchema>;

export function readPid(pidFile: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(pidFile, "utf8");
  } catch {
    return undefined;
  }
  const pid = Number(text.trim().split("\n")[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export function readState(stateFile: string): DaemonState | undefined {
  try {
    const parsed = stateSchema.safeParse(JSON.parse(readFileSync(stateFile, "utf8")));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes the PID file for this process. `wx` makes two servers racing for it agree on one winner; a
 * file left by a process that is gone (or whose PID now belongs to another program) is replaced.
 * Returns the PID of the live server holding it instead, if there is one.
 */
export function claimPidFile(
  files: Pick<DaemonFiles, "pidFile" | "stateFile">,
  state: DaemonState,
): number | undefined {
  const line = `${state.pid}\n`;
  try {
    writeFileSync(files.pidFile, line, { flag: "wx", mode: 0o644 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    const holder = readPid(files.pidFile);
    if (holder !== undefined && holder !== state.pid && isOurServer(holder, files.pidFile)) return holder;
    writeFileSync(files.pidFile, line, { mode: 0o644 });
  }
  writeFileSync(files.stateFile, `${JSON.stringify(state)}\n`, { mode: 0o600 });
  return undefined;
}

/**
 * Removes the PID and state files, only if they still name `pid` (unless `pid` is undefined). A state file left
 * alone by a forced stop (the PID file gone) goes once it is read.
 */
export function removeDaemonFiles(files: Pick<DaemonFiles, "pidFile" | "stateFile">, pid?: number): void {
  const holdsPid = pid === undefined || readPid(files.pidFile) === pid;
  if (holdsPid || readState(files.stateFile)?.pid === pid) rmSync(files.stateFile, { force: true });
  if (holdsPid) rmSync(files.pidFile, { force: true });
}

/**
 * As a server stopped by force exits: its PID file goes, its state file stays, marked, for `aisbf stop` to say
 * the stop was forced (the server is not its child, so it cannot see the exit status).
 */
export function recordForcedStop(
  files: Pick<DaemonFiles, "pidFile" | "stateFile">,
  pid: number,
  graceMs: number,
): void {
  const state = readState(files.stateFile);
  if (readPid(files.pidFile) !== pid || state?.pid !== pid) return;
  const marked: DaemonState = { ...state, forced_stop: { at: new Date().toISOString(), grace_ms: graceMs } };
  writeFileSync(files.stateFile, `${JSON.stringify(marked)}\n`, { mode: 0o600 });
  rmSync(files.pidFile, { force: true });
}

export type ProcessCheck = "ours" | "gone" | "other";

/**
 * Whether `pid` is the server that owns `pidFile`: alive, not a zombie, and started with
 * `--pid-file <pidFile>` (which is how the daemon starts it). Anything else is a stale PID file.
 */
export function checkProcess(pid: number, pidFile: string): ProcessCheck {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: the PID exists but belongs to another user, so it is not our server.
    return (error as NodeJS.ErrnoException).code === "EPERM" ? "other" : "gone";
  }
  const commandLine = processCommandLine(pid);
  if (commandLine === null) return "gone";
  if (commandLine === undefined) return "ours"; // no way to tell on this platform: trust the PID
  return `${commandLine} `.includes(` --pid-file ${pidFile} `) ? "ours" : "other";
}

export function isOurServer(pid: number, pidFile: string): boolean {
  return checkProcess(pid, pidFile) === "ours";
}

/** The process's arguments joined by spaces; null if it is gone or a zombie; undefined if the platform cannot tell. */
function processCommandLine(pid: number): string | null | undefined {
  if (process.platform === "linux") {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // The state letter follows the parenthesised command name, which may itself contain spaces.
      if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) return null;
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
    } catch {
      return null;
    }
  }
  if (process.platform === "darwin" || process.platform.endsWith("bsd")) {
    try {
      const out = execFileSync("ps", ["-o", "stat=,command=", "-p", String(pid)], { encoding: "utf8" });
      if (out.trim() === "" || out.trim().startsWith("Z")) return null;
      return out.trim().replace(/^\S+\s+/, "");
    } catch {
      return null;
    }
  }
  return undefined;
}

export type DaemonLookup =
  | { kind: "none" }
  | { kind: "stale"; pid: number; reason: string }
  | { kind: "running"; pid: number; state: DaemonState | undefined };

/** What the PID file says, checked against the process table. A stale file is removed. */
export function findDaemon(files: DaemonFiles): DaemonLookup {
  const pid = readPid(files.pidFile);
  if (pid === undefined) {
    removeDaemonFiles(files); // an empty or garbled PID file, or a state file left alone
    return { kind: "none" };
  }
  const check = checkProcess(pid, files.pidFile);
  if (check === "ours") return { kind: "running", pid, state: readState(files.stateFile) };
  removeDaemonFiles(files, pid);
  const reason = check === "gone" ? `process ${pid} is gone` : `PID ${pid} now belongs to another program`;
  return { kind: "stale", pid, reason };
}

/** What `status` and `stop` say when no daemon runs for `dir`. */
export function notRunningLine(
  found: Exclude<DaemonLookup, { kind: "running" }>,
  dir: string,
  files: DaemonFiles,
): string {
  return found.kind === "none"
    ? `aisbf is not running (config dir ${dir})`
    : `aisbf is not running: removed a stale PID file ${files.pidFile} (${found.reason})`;
}
