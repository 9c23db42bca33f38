// `aisbf stop`: SIGTERM the daemon, wait for in-flight requests to finish (bounded), SIGKILL only after that.
import { parseArgs } from "node:util";
import { resolveConfigDir } from "../config/paths.ts";
import { checkProcess, daemonFiles, findDaemon, notRunningLine, removeDaemonFiles } from "./daemon-files.ts";
import { rejectEmptyValues, secondsValue } from "./flag-values.ts";

/** A little more than the server's own 30 s shutdown grace, so a clean stop is never cut short. */
const DEFAULT_TIMEOUT_S = 35;
const KILL_WAIT_MS = 5000;

export const STOP_HELP = `Usage: aisbf stop [options]

Stops the daemon for a config dir: SIGTERM, which lets in-flight requests and streams finish, then waits
for the process to exit; SIGKILL only if it is still there after the timeout. Removes the PID file.
Not running is not an error (exit 0).

Options:
  --config-dir DIR     the daemon's config directory (default: env AISBF_CONFIG_DIR, else ~/.aisbf)
  --timeout SECONDS    how long to wait before SIGKILL (default ${DEFAULT_TIMEOUT_S})
  -h, --help           this help
`;

export async function stopCommand(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      "config-dir": { type: "string" },
      timeout: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(STOP_HELP);
    return 0;
  }
  rejectEmptyValues(values);
  const timeoutS =
    values.timeout === undefined
      ? DEFAULT_TIMEOUT_S
      : secondsValue("--timeout", values.timeout, { positive: false });
  const { dir } = resolveConfigDir(values["config-dir"], env);
  const files = daemonFiles(dir, env);
  const found = findDaemon(files);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  if (found.kind !== "running") {
    out(notRunningLine(found, dir, files));
    return 0;
  }

  const { pid } = found;
  const gone = () => checkProcess(pid, files.pidFile) !== "ours";
  process.kill(pid, "SIGTERM");
  if (await waitUntil(gone, timeoutS * 1000)) {
    removeDaemonFiles(files, pid);
    out(`stopped aisbf (PID ${pid})`);
    return 0;
  }
  process.stderr.write(`aisbf: PID ${pid} did not exit within ${timeoutS} s of SIGTERM; sending SIGKILL\n`);
  process.kill(pid, "SIGKILL");
  if (!(await waitUntil(gone, KILL_WAIT_MS))) {
    process.stderr.write(`aisbf: PID ${pid} is still there after SIGKILL\n`);
    return 1;
  }
  removeDaemonFiles(files, pid);
  out(`killed aisbf (PID ${pid}) after ${timeoutS} s`);
  return 0;
}

async function waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}
