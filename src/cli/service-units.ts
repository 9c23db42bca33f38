// The text of the service definitions install-service writes: a systemd unit (user or system) or a launchd plist.

export interface ServiceSpec {
  scope: "user" | "system";
  /** Program and arguments that run the server in the foreground. */
  command: string[];
  configDir: string;
  /** systemd: optional file of KEY=value lines (API keys), read before the service starts. */
  environmentFile: string;
  /** launchd: where stdout and stderr go (systemd has the journal). */
  logFile: string;
  /** The dedicated account of the system service. */
  systemUser: string;
  version: string;
}

/** The server's own shutdown grace is 30 s; the service manager waits a little longer before SIGKILL. */
const STOP_TIMEOUT_S = 40;

/** One ExecStart argument, quoted for systemd (systemd.service(5) "Command lines"), % and $ escaped. */
function systemdArgument(value: string): string {
  const escaped = value.replace(/%/g, "%%").replace(/\$/g, "$$$$");
  if (!/[\s"'\\;]/.test(escaped) && escaped !== "") return escaped;
  return `"${escaped.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

const UNDER_HOME = /^\/(home|root|run\/user)(\/|$)/;

export function systemdUnit(spec: ServiceSpec): string {
  const system = spec.scope === "system";
  const lines = [
    `# AISBF ${spec.scope} service, written by 'aisbf install-service --${spec.scope}' (aisbf ${spec.version}).`,
    "[Unit]",
    "Description=AISBF AI gateway (OpenAI-compatible endpoint)",
    // A user manager has no network-online.target; the system one does.
    ...(system ? ["Wants=network-online.target", "After=network-online.target"] : []),
    "",
    "[Service]",
    "Type=simple",
    `ExecStart=${spec.command.map(systemdArgument).join(" ")}`,
    `EnvironmentFile=-${spec.environmentFile}`,
    "Restart=on-failure",
    "RestartSec=5",
    `TimeoutStopSec=${STOP_TIMEOUT_S}`,
    "UMask=0077",
    "NoNewPrivileges=yes",
  ];
  if (system) lines.push(...systemHardening(spec));
  lines.push("", "[Install]", `WantedBy=${system ? "multi-user.target" : "default.target"}`, "");
  return lines.join("\n");
}

/**
 * Sandboxing for the system service (systemd.exec(5)). A user unit gets only NoNewPrivileges: the
 * namespace options there need unprivileged user namespaces, which many hosts turn off.
 * No MemoryDenyWriteExecute: the JavaScript engine's JIT needs memory that is writable and executable.
 */
function systemHardening(spec: ServiceSpec): string[] {
  const inStateDir = spec.configDir === `/var/lib/${spec.systemUser}`;
  const touchesHome = [spec.configDir, spec.command[0] ?? ""].some((path) => UNDER_HOME.test(path));
  return [
    `User=${spec.systemUser}`,
    `Group=${spec.systemUser}`,
    ...(inStateDir ? [`StateDirectory=${spec.systemUser}`, "StateDirectoryMode=0700"] : []),
    `ReadWritePaths=${spec.configDir}`,
    "ProtectSystem=strict",
    // Hidden entirely unless the program or its config lives there; then read-only, config dir excepted.
    `ProtectHome=${touchesHome ? "read-only" : "yes"}`,
    "PrivateTmp=yes",
    "PrivateDevices=yes",
    "ProtectKernelTunables=yes",
    "ProtectKernelModules=yes",
    "ProtectKernelLogs=yes",
    "ProtectControlGroups=yes",
    "ProtectClock=yes",
    "ProtectHostname=yes",
    "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
    "RestrictNamespaces=yes",
    "RestrictRealtime=yes",
    "RestrictSUIDSGID=yes",
    "LockPersonality=yes",
    "SystemCallArchitectures=native",
    "CapabilityBoundingSet=",
    "AmbientCapabilities=",
  ];
}

function xml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

export const LAUNCHD_LABEL = "aisbf";

/** launchd.plist(5): started at load, restarted when it crashes, stopped with SIGTERM. */
export function launchdPlist(spec: ServiceSpec): string {
  const args = spec.command.map((arg) => `    <string>${xml(arg)}</string>`);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    `<!-- AISBF ${spec.scope} service, written by 'aisbf install-service --${spec.scope}' (aisbf ${xml(spec.version)}). -->`,
    '<plist version="1.0">',
    "<dict>",
    "  <key>Label</key>",
    `  <string>${LAUNCHD_LABEL}</string>`,
    "  <key>ProgramArguments</key>",
    "  <array>",
    ...args,
    "  </array>",
    ...(spec.scope === "system"
      ? ["  <key>UserName</key>", `  <string>${xml(spec.systemUser)}</string>`]
      : []),
    "  <key>RunAtLoad</key>",
    "  <true/>",
    "  <key>KeepAlive</key>",
    "  <dict>",
    "    <key>SuccessfulExit</key>",
    "    <false/>",
    "  </dict>",
    "  <key>ExitTimeOut</key>",
    `  <integer>${STOP_TIMEOUT_S}</integer>`,
    "  <key>ProcessType</key>",
    "  <string>Background</string>",
    "  <key>StandardOutPath</key>",
    `  <string>${xml(spec.logFile)}</string>`,
    "  <key>StandardErrorPath</key>",
    `  <string>${xml(spec.logFile)}</string>`,
    "</dict>",
    "</plist>",
    "",
  ].join("\n");
}
