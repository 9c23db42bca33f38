// `aisbf install-service`: write a systemd unit (or a launchd plist on macOS) and say how to enable it.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { resolveConfigDir } from "../config/paths.ts";
import { currentRuntime } from "../runtime/index.ts";
import { VERSION } from "../version.ts";
import { portValue, rejectEmptyValues } from "./flag-values.ts";
import { LAUNCHD_LABEL, launchdPlist, type ServiceSpec, systemdUnit } from "./service-units.ts";
import { UsageError } from "./usage-error.ts";

const SYSTEM_USER = "aisbf";
const SYSTEM_CONFIG_DIR = `/var/lib/${SYSTEM_USER}`;

export const INSTALL_SERVICE_HELP = `Usage: aisbf install-service [--user|--system] [options]

Writes a service definition that runs 'aisbf serve' and prints the commands that enable it.
  systemd (Linux): --user  ~/.config/systemd/user/aisbf.service (the default)
                   --system /etc/systemd/system/aisbf.service, as user '${SYSTEM_USER}', sandboxed,
                            config in ${SYSTEM_CONFIG_DIR}
  launchd (macOS): --user  ~/Library/LaunchAgents/${LAUNCHD_LABEL}.plist
                   --system /Library/LaunchDaemons/${LAUNCHD_LABEL}.plist
API keys for a systemd service go in the environment file it names (KEY=value lines, mode 0600).

Options:
  --user               a service of the current user (default)
  --system             a system-wide service (needs root to install)
  --print              print the definition on stdout; write nothing
  --kind KIND          systemd | launchd (default: launchd on macOS, else systemd)
  --exec PATH          the aisbf binary the service runs (default: this program)
  --config-dir DIR     config directory (default: ~/.aisbf for --user, ${SYSTEM_CONFIG_DIR} for --system)
  --host HOST          address to listen on (default: from the config, else 127.0.0.1)
  --port PORT          port to listen on (default: from the config, else 17765)
  --force              replace an existing, different definition
  -h, --help           this help
`;

export async function installServiceCommand(
  argv: string[],
  env: Record<string, string | undefined>,
): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      user: { type: "boolean" },
      system: { type: "boolean" },
      print: { type: "boolean" },
      kind: { type: "string" },
      exec: { type: "string" },
      "config-dir": { type: "string" },
      host: { type: "string" },
      port: { type: "string" },
      force: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(INSTALL_SERVICE_HELP);
    return 0;
  }
  rejectEmptyValues(values);
  if (values.user && values.system) throw new UsageError("--user and --system: choose one");
  const scope = values.system ? "system" : "user";
  const kind = values.kind ?? (process.platform === "darwin" ? "launchd" : "systemd");
  if (kind !== "systemd" && kind !== "launchd") throw new UsageError("--kind: systemd or launchd");
  if (values.port !== undefined) portValue("--port", values.port);
  if (values.exec !== undefined && !isAbsolute(values.exec)) throw new UsageError("--exec: an absolute path");

  const home = env.HOME || homedir();
  const configDir =
    scope === "system"
      ? values["config-dir"]
        ? resolve(values["config-dir"])
        : SYSTEM_CONFIG_DIR
      : resolveConfigDir(values["config-dir"], env, home).dir;
  const program = values.exec ? [values.exec] : currentRuntime().selfCommand();
  const listen = (["host", "port"] as const).flatMap((name) => {
    const value = values[name];
    return value === undefined ? [] : [`--${name}`, value];
  });
  const spec: ServiceSpec = {
    scope,
    command: [...program, "serve", "--config-dir", configDir, ...listen],
    configDir,
    environmentFile: scope === "system" ? "/etc/aisbf/aisbf.env" : join(configDir, "aisbf.env"),
    logFile: scope === "system" ? "/Library/Logs/aisbf.log" : join(configDir, "aisbf.log"),
    systemUser: SYSTEM_USER,
    version: VERSION,
  };
  const text = kind === "systemd" ? systemdUnit(spec) : launchdPlist(spec);
  if (values.print) {
    process.stdout.write(text);
    return 0;
  }

  const target = definitionPath(kind, scope, home, env);
  if (existsSync(target) && readFileSync(target, "utf8") !== text && !values.force) {
    process.stderr.write(
      `aisbf: ${target} exists and differs; --force replaces it, --print shows the new one\n`,
    );
    return 1;
  }
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, text, { mode: 0o644 });
  const lines = [`wrote ${target}`, ...nextSteps(kind, spec, target, env)];
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}

function definitionPath(
  kind: "systemd" | "launchd",
  scope: "user" | "system",
  home: string,
  env: Record<string, string | undefined>,
): string {
  if (kind === "launchd") {
    const dir = scope === "system" ? "/Library/LaunchDaemons" : join(home, "Library", "LaunchAgents");
    return join(dir, `${LAUNCHD_LABEL}.plist`);
  }
  if (scope === "system") return "/etc/systemd/system/aisbf.service";
  return join(env.XDG_CONFIG_HOME || join(home, ".config"), "systemd", "user", "aisbf.service");
}

function systemUserExists(): boolean {
  try {
    return readFileSync("/etc/passwd", "utf8")
      .split("\n")
      .some((line) => line.startsWith(`${SYSTEM_USER}:`));
  } catch {
    return false;
  }
}

function nextSteps(
  kind: "systemd" | "launchd",
  spec: ServiceSpec,
  target: string,
  env: Record<string, string | undefined>,
): string[] {
  if (kind === "launchd") {
    const domain = spec.scope === "system" ? "system" : "gui/$(id -u)";
    return [
      "Start it now and at every login/boot:",
      `  ${spec.scope === "system" ? "sudo " : ""}launchctl bootstrap ${domain} ${target}`,
      `Stop and remove: launchctl bootout ${domain}/${LAUNCHD_LABEL}`,
      "API keys: launchd passes no shell environment; add an EnvironmentVariables dict to the plist",
      "or write the keys into providers.json (mode 0600).",
    ];
  }
  if (spec.scope === "system") {
    const steps = systemUserExists()
      ? []
      : [
          `Create its user first:`,
          `  useradd --system --user-group --home-dir ${SYSTEM_CONFIG_DIR} --no-create-home --shell /usr/sbin/nologin ${SYSTEM_USER}`,
        ];
    return [
      ...steps,
      "Enable and start it:",
      "  systemctl daemon-reload",
      "  systemctl enable --now aisbf.service",
      `API keys: KEY=value lines in ${spec.environmentFile} (root-owned, mode 0600)`,
      "Status and logs: systemctl status aisbf; journalctl -u aisbf -f",
    ];
  }
  return [
    "Enable and start it:",
    "  systemctl --user daemon-reload",
    "  systemctl --user enable --now aisbf.service",
    `Keep it running while you are logged out: loginctl enable-linger ${env.USER || "$USER"}`,
    `API keys: KEY=value lines in ${spec.environmentFile} (mode 0600)`,
    "Status and logs: systemctl --user status aisbf; journalctl --user -u aisbf -f",
  ];
}
