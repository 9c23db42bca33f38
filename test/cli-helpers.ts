// Helpers for the CLI tests: build the host binary once, run it in a temporary HOME, free ports, cleanup by PID.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const REPO = join(import.meta.dir, "..");
export const TEST_VERSION = "9.8.7-clitest";

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

export function hostBinaryName(): string {
  const os = process.platform === "win32" ? "windows" : process.platform;
  return `aisbf-${os}-${process.arch}${os === "windows" ? ".exe" : ""}`;
}

/** Compiles the binary for this machine with scripts/build into a temporary dist/. */
export function buildHostBinary(workDir: string): string {
  const outdir = join(workDir, "dist");
  const build = Bun.spawnSync(["bash", "scripts/build", "--host", "--outdir", outdir], {
    cwd: REPO,
    env: { ...process.env, AISBF_VERSION: TEST_VERSION },
  });
  if (build.exitCode !== 0) throw new Error(`scripts/build failed:\n${build.stderr.toString()}`);
  return join(outdir, hostBinaryName());
}

/**
 * A minimal environment: no API keys or XDG_RUNTIME_DIR from the machine running the tests, HOME as
 * given, and a PATH with nothing on it, so the binary shows it needs no Bun, Node or repo.
 * `extra` adds to it.
 */
export function cleanEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: "/nonexistent-aisbf-test-path", HOME: home, LANG: "C.UTF-8", ...extra };
}

/**
 * Runs the binary from HOME (not the repo), so nothing of the source tree is in reach. With `timeoutMs`, a run
 * still going then is killed (and reports code -1): a command that should fail at once must not hang the suite.
 */
export function run(bin: string, args: string[], env: Record<string, string>, timeoutMs?: number): Ran {
  const result = Bun.spawnSync([bin, ...args], { env, stdin: "ignore", cwd: env.HOME, timeout: timeoutMs });
  return { code: result.exitCode ?? -1, stdout: result.stdout.toString(), stderr: result.stderr.toString() };
}

export async function runAsync(bin: string, args: string[], env: Record<string, string>): Promise<Ran> {
  const child = Bun.spawn([bin, ...args], {
    env,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    cwd: env.HOME,
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  return { code, stdout, stderr };
}

/** A port nobody listens on right now on 127.0.0.1. */
export function freePort(): number {
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
  const port = server.port ?? 0;
  server.stop(true);
  return port;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** The PID in "aisbf started (PID 123) on http://..." */
export function startedPid(out: string): number {
  const match = /started \(PID (\d+)\) on (\S+)/.exec(out);
  if (!match?.[1]) throw new Error(`no PID in daemon output: ${out}`);
  return Number(match[1]);
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A killed daemon whose parent is gone may linger as a zombie until init reaps it.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return process.platform !== "linux";
  }
}

export async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await Bun.sleep(20);
  }
  return true;
}

/** Stops every process a test started, by PID. */
export function killAll(pids: Iterable<number>): void {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}
