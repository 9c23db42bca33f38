// `aisbf stop`: SIGTERM the daemon, wait for in-flight requests to finish (bounded), SIGKILL only after that.
import { parseArgs } from "node:util";
import { resolveConfigDir } from "../config/paths.ts";
import {
  checkProcess,
  type DaemonState,
  daemonFiles,
  findDaemon,
  notRunningLine,
  readState,
  removeDaemonFiles,
} from "./daemon-files.ts";
import { rejectEmptyValues, secondsValue } from "./flag-values.ts";
import { ForcedStop } from "./forced-stop.ts";
import { DEFAULT_SHUTDOWN_GRACE_S } from "./server-settings.ts";

/** Waited beyond the server's own shutdown grace, so a stop that ends in the server's time is never cut short. */
const AFTER_GRACE_S = 5;
const KILL_WAIT_MS = 5000;

export const STOP_HELP = `Usage: aisbf stop [options]

Stops the daemon for a config dir: SIGTERM, which lets in-flight requests and streams finish, then waits
for the process to exit; SIGKILL only if it is still there after the timeout. Removes the PID file.
Not running is not an error (exit 0).

Exit status: 0 stopped cleanly (or not running); 75 stopped by force: requests or streams were still open
when the server's shutdown grace ended (each open stream got a final error event), or it had to be killed.

Options:
  --config-dir DIR     the daemon's config directory (default: env AISBF_CONFIG_DIR, else ~/.aisbf)
  --timeout SECONDS    how long to wait before SIGKILL (default: the server's shutdown grace + ${AFTER_GRACE_S},
                       ${DEFAULT_SHUTDOWN_GRACE_S + AFTER_GRACE_S} unless it was started with another)
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
  const flagTimeoutS =
    values.timeout === undefined ? undefined : secondsValue("--timeout", values.timeout, { positive: false });
  const { dir } = resolveConfigDir(values["config-dir"], env);
  const files = daemonFiles(dir, env);
  const found = findDaemon(files);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  if (found.kind !== "running") {
    out(notRunningLine(found, dir, files));
    return 0;
  }

  const { pid } = found;
  const timeoutS = flagTimeoutS ?? defaultTimeoutS(found.state);
  const gone = () => checkProcess(pid, files.pidFile) !== "ours";
  process.kill(pid, "SIGTERM");
  if (await waitUntil(gone, timeoutS * 1000)) {
    // Read before it goes: a server that had to cut work short leaves that in its state file.
    const forced = readState(files.stateFile)?.forced_stop;
    removeDaemonFiles(files, pid);
    out(`stopped aisbf (PID ${pid})`);
    if (forced) {
      throw new ForcedStop(
        `the stop was forced: requests or streams still open when the server's ${forced.grace_ms / 1000} s shutdown grace ended were cut (each open stream got a final error event)`,
      );
    }
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
  throw new ForcedStop("the stop was forced: killed (SIGKILL); its in-flight requests and streams were cut");
}

/** The server's own grace (from its state file) and a little more; a server that recorded none has the default. */
function defaultTimeoutS(state: DaemonState | undefined): number {
  const graceS =
    state?.shutdown_grace_ms === undefined ? DEFAULT_SHUTDOWN_GRACE_S : state.shutdown_grace_ms / 1000;
  return graceS + AFTER_GRACE_S;
}

async function waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}
