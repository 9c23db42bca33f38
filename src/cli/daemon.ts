// `aisbf daemon`: start the server detached, wait until its /health answers, print PID and address.
import { closeSync, openSync, readSync, statSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { prepareConfig } from "../config/load.ts";
import { resolveConfigDir } from "../config/paths.ts";
import { createLogger } from "../log/logger.ts";
import { currentRuntime } from "../runtime/index.ts";
import { type DaemonFiles, daemonFiles, findDaemon, readState } from "./daemon-files.ts";
import { rejectEmptyValues, secondsValue } from "./flag-values.ts";
import { fetchHealth } from "./health-client.ts";
import { listenAddress, logSettings, SERVER_OPTIONS, shutdownGraceMs } from "./server-settings.ts";

const DEFAULT_WAIT_S = 20;

export const DAEMON_HELP = `Usage: aisbf daemon [options]

Starts the gateway in the background and returns once it answers GET /health, printing its PID and
address. If it cannot start (bad config, port taken...) it prints why and exits non-zero. One daemon per
config dir: a second one is refused.

Files: PID file $XDG_RUNTIME_DIR/aisbf.pid (else <config dir>/aisbf.pid), log <config dir>/aisbf.log.

Options:
  --host HOST          address to listen on (default 127.0.0.1; env AISBF_HOST)
  --port PORT          port to listen on (default 17765; env AISBF_PORT; 0 picks a free one)
  --config-dir DIR     config directory (default: env AISBF_CONFIG_DIR, else ~/.aisbf)
  --log-level LEVEL    debug | info | warn | error (default info)
  --log-format FORMAT  text | json (default text)
  --insecure-no-auth   listen beyond loopback with no client keys (see aisbf serve --help)
  --shutdown-grace S   seconds in-flight work gets to finish on stop (default 30; env AISBF_SHUTDOWN_GRACE)
  --wait SECONDS       how long to wait for /health before giving up (default ${DEFAULT_WAIT_S})
  -h, --help           this help
`;

export async function daemonCommand(
  argv: string[],
  env: Record<string, string | undefined>,
): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { ...SERVER_OPTIONS, wait: { type: "string" }, help: { type: "boolean", short: "h" } },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(DAEMON_HELP);
    return 0;
  }
  // Everything the server would reject is checked here first, so the failure is on this terminal.
  rejectEmptyValues(values);
  logSettings(values, env);
  listenAddress(values, env, {});
  shutdownGraceMs(values, env);
  const waitS =
    values.wait === undefined ? DEFAULT_WAIT_S : secondsValue("--wait", values.wait, { positive: true });
  const { dir } = resolveConfigDir(values["config-dir"], env);
  const files = daemonFiles(dir, env);
  const found = findDaemon(files);
  if (found.kind === "running") {
    const where = found.state ? ` on ${found.state.url}` : "";
    process.stderr.write(
      `aisbf: already running for config dir ${dir} (PID ${found.pid}${where}); 'aisbf stop' stops it\n`,
    );
    return 1;
  }
  if (found.kind === "stale") process.stderr.write(`aisbf: removed a stale PID file (${found.reason})\n`);
  const { config, firstRun } = prepareConfig(dir, env, { write: true });
  for (const path of firstRun) process.stderr.write(`aisbf: wrote default config ${path}\n`);
  for (const warning of config.warnings) process.stderr.write(`aisbf: warning: ${warning}\n`);

  const passOn = (["host", "port", "log-level", "log-format", "shutdown-grace"] as const).flatMap((name) => {
    const value = values[name];
    return value === undefined ? [] : [`--${name}`, value];
  });
  if (values["insecure-no-auth"]) passOn.push("--insecure-no-auth");
  const { format } = logSettings(values, env, config.server.logging);
  return launch(dir, files, passOn, { waitMs: waitS * 1000, format }, env);
}

/** Starts `aisbf serve` detached and waits for its /health; on failure, shows what the server said. */
async function launch(
  dir: string,
  files: DaemonFiles,
  serveArgs: string[],
  { waitMs, format }: { waitMs: number; format: "text" | "json" },
  env: Record<string, string | undefined>,
): Promise<number> {
  const logStart = startLogSection(files.logFile, format);
  const runtime = currentRuntime();
  const child = runtime.spawnDetached({
    command: [
      ...runtime.selfCommand(),
      "serve",
      "--config-dir",
      dir,
      "--pid-file",
      files.pidFile,
      ...serveArgs,
    ],
    env,
    cwd: dir,
    logPath: files.logFile,
  });

  let exited = false;
  const early = child.exited.then((code) => {
    exited = true;
    return { ready: false as const, why: `the server exited (${code}) before it was ready` };
  });
  const outcome = await Promise.race([early, waitForHealth(files, child.pid, waitMs)]);
  if (!outcome.ready) {
    // Still there but not answering: it must not linger as a half-started daemon.
    if (!exited) process.kill(child.pid, "SIGKILL");
    const log = readFrom(files.logFile, logStart).trim();
    process.stderr.write(`aisbf: could not start the daemon: ${outcome.why}\n`);
    if (log) process.stderr.write(`${log.split("\n").slice(-30).join("\n")}\n`);
    process.stderr.write(`(log: ${files.logFile})\n`);
    return 1;
  }
  const lines = [
    `aisbf started (PID ${child.pid}) on ${outcome.url}`,
    `  config: ${dir}`,
    `  log: ${files.logFile}`,
    `  pid file: ${files.pidFile}`,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}

/** Polls until the child has written its state file and its own /health answers with its PID. */
async function waitForHealth(
  files: DaemonFiles,
  pid: number,
  timeoutMs: number,
): Promise<{ ready: true; url: string } | { ready: false; why: string }> {
  const deadline = Date.now() + timeoutMs;
  let last = "it did not write its state file";
  while (Date.now() < deadline) {
    const state = readState(files.stateFile);
    if (state?.pid === pid) {
      const health = await fetchHealth(state.url, 1000);
      if (health.ok && health.report.pid === pid) return { ready: true, url: state.url };
      last = health.ok ? `another process answers on ${state.url}` : health.reason;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { ready: false, why: `no answer from /health within ${timeoutMs / 1000} s (${last})` };
}

/** Marks where this start's output begins in the shared log, and returns that offset. */
function startLogSection(logFile: string, format: "text" | "json"): number {
  // In JSON mode the server's log is JSON lines from its first line; the marker must not be the one that is not.
  const write = (line: string) => writeFileSync(logFile, `${line}\n`, { flag: "a", mode: 0o600 });
  if (format === "json") createLogger({ format, write }).info("aisbf daemon starting");
  else write(`=== aisbf daemon starting at ${new Date().toISOString()}`);
  return statSync(logFile).size;
}

function readFrom(path: string, offset: number): string {
  const fd = openSync(path, "r");
  try {
    const length = Math.max(0, Math.min(statSync(path).size - offset, 64 * 1024));
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, offset);
    return buffer.toString("utf8");
  } finally {
    closeSync(fd);
  }
}
