// `aisbf status`: is the daemon running, where, for how long, and how each provider is doing (from /health).
import { parseArgs } from "node:util";
import { resolveConfigDir } from "../config/paths.ts";
import { daemonFiles, findDaemon, notRunningLine } from "./daemon-files.ts";
import { rejectEmptyValues } from "./flag-values.ts";
import { describeHealth, describeState, fetchHealth, formatUptime } from "./health-client.ts";
import { describeUsage, fetchUsageToday } from "./usage-client.ts";

export const STATUS_HELP = `Usage: aisbf status [options]

Says whether the daemon for a config dir is running: PID, address, uptime, each provider's health and the
top lines of today's usage (GET /v1/usage; a key sees its own, an admin key everyone's).
A stale PID file (the process is gone, or its PID now belongs to another program) is reported and removed.
Exit status (LSB): 0 running, 3 not running, 4 running but /health does not answer.

Options:
  --config-dir DIR     the daemon's config directory (default: env AISBF_CONFIG_DIR, else ~/.aisbf)
  -h, --help           this help
`;

/** The LSB init-script convention for `status`. */
export const EXIT_RUNNING = 0;
export const EXIT_NOT_RUNNING = 3;
export const EXIT_UNKNOWN = 4;

export async function statusCommand(
  argv: string[],
  env: Record<string, string | undefined>,
): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { "config-dir": { type: "string" }, help: { type: "boolean", short: "h" } },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(STATUS_HELP);
    return 0;
  }
  rejectEmptyValues(values);
  const { dir } = resolveConfigDir(values["config-dir"], env);
  const files = daemonFiles(dir, env);
  const found = findDaemon(files);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  if (found.kind !== "running") {
    out(notRunningLine(found, dir, files));
    return EXIT_NOT_RUNNING;
  }
  if (!found.state) {
    out(`aisbf is running (PID ${found.pid}) but its state file ${files.stateFile} is missing`);
    return EXIT_UNKNOWN;
  }
  const health = await fetchHealth(found.state.url);
  if (!health.ok || health.report.pid !== found.pid) {
    const reason = health.ok ? `another process (PID ${health.report.pid}) answers there` : health.reason;
    out(`aisbf is running (PID ${found.pid}) but ${found.state.url}/health does not answer: ${reason}`);
    return EXIT_UNKNOWN;
  }
  const report = health.report;
  out(`aisbf ${report.version} is running (PID ${found.pid}) on ${found.state.url}`);
  out(`  up ${formatUptime(report.uptime_s)} (since ${report.started_at})`);
  out(`  config: ${report.config_dir ?? dir}`);
  out(`  log: ${files.logFile}`);
  if (report.config?.last_error) {
    out(
      `  config reload refused at ${report.config.last_error.at} (the config loaded ${report.config.loaded_at} is in force):`,
    );
    out(`    ${report.config.last_error.message.replace(/\n\s*/g, "; ")}`);
  }
  if (report.state) out(`  state: ${describeState(report.state)}`);
  if (!report.providers) {
    out("  providers: health detail needs a client key (set AISBF_API_KEY)");
    return EXIT_RUNNING;
  }
  const ids = Object.keys(report.providers);
  out(ids.length > 0 ? "  providers:" : "  providers: none");
  const width = Math.max(0, ...ids.map((id) => id.length));
  for (const [id, entry] of Object.entries(report.providers))
    out(`    ${id.padEnd(width)}  ${describeHealth(entry)}`);
  const usage = await fetchUsageToday(found.state.url, Date.now());
  if (usage.ok) {
    for (const line of describeUsage(usage.lines)) out(line);
    if (usage.note) out(`    (${usage.note})`);
  } else out(`  usage: ${usage.reason}`);
  return EXIT_RUNNING;
}
