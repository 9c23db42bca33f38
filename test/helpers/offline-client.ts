// Runs a real agent client (Claude Code, Codex) offline against the gateway: a temporary root holding its HOME, its
// working directory and any directory of its own, everything that could leave the machine (proxies, package
// registries) pointed at a closed port, stopped by PID when it overruns, the temporary root removed after.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { closedPort } from "../../src/providers/testing.ts";

export interface ClientRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** The run's directories under its temporary root: home, work (its cwd) and the client's own. */
export type ClientDirs<Own extends string> = Record<"home" | "work" | Own, string>;

export interface OfflineRun<Own extends string> {
  /** Names the temporary root: aisbf-{client}-XXXXXX. */
  client: string;
  /** Directories of the client's own to create beside home and work. */
  ownDirs?: Own[];
  /** Writes what the client reads at start (its config) into the directories. */
  prepare?: (dirs: ClientDirs<Own>) => void;
  /** The client's own environment: where the gateway is, its key, its switches. */
  env: (dirs: ClientDirs<Own>) => Record<string, string>;
  /** The command line, its native binary first (so that a run stopped by PID leaves no child behind). */
  command: (dirs: ClientDirs<Own>) => string[];
  timeoutMs?: number;
}

export async function runOffline<Own extends string = never>(run: OfflineRun<Own>): Promise<ClientRun> {
  const root = mkdtempSync(join(tmpdir(), `aisbf-${run.client}-`));
  try {
    const names: Array<"home" | "work" | Own> = ["home", "work", ...(run.ownDirs ?? [])];
    const dirs = Object.fromEntries(names.map((name) => [name, join(root, name)])) as ClientDirs<Own>;
    for (const name of names) mkdirSync(dirs[name], { recursive: true });
    run.prepare?.(dirs);
    const closed = `http://127.0.0.1:${closedPort()}`;
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: dirs.home,
      ...run.env(dirs),
      // Anything that would leave the machine goes to a closed port instead; the gateway on 127.0.0.1 is exempt.
      HTTP_PROXY: closed,
      HTTPS_PROXY: closed,
      ALL_PROXY: closed,
      NO_PROXY: "127.0.0.1,localhost",
      npm_config_registry: closed,
      NPM_CONFIG_REGISTRY: closed,
      TERM: "dumb",
    };
    const proc = Bun.spawn(run.command(dirs), {
      cwd: dirs.work,
      env,
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      // Only the process this run started, by its PID.
      process.kill(proc.pid, "SIGKILL");
    }, run.timeoutMs ?? 60_000);
    try {
      const [stdout, stderr, exitCode] = await Promise.all([
        new Response(proc.stdout).text(),
        new Response(proc.stderr).text(),
        proc.exited,
      ]);
      return { exitCode, stdout, stderr, timedOut };
    } finally {
      clearTimeout(timer);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
