#!/usr/bin/env bun
// Entry for `bun build --compile` and `deno run`: pick the command, run it, turn the outcome into an exit code.
import { CONFIG_HELP, configCommand } from "./cli/config.ts";
import { DAEMON_HELP, daemonCommand } from "./cli/daemon.ts";
import { ForcedStop } from "./cli/forced-stop.ts";
import { INSTALL_SERVICE_HELP, installServiceCommand } from "./cli/install-service.ts";
import { KEYS_HELP, keysCommand } from "./cli/keys.ts";
import { LoggedError } from "./cli/logged-error.ts";
import { SERVE_HELP, serveCommand } from "./cli/serve.ts";
import { STATUS_HELP, statusCommand } from "./cli/status.ts";
import { STOP_HELP, stopCommand } from "./cli/stop.ts";
import { UsageError } from "./cli/usage-error.ts";
import { ConfigError } from "./config/load.ts";
import { VERSION } from "./version.ts";

const HELP = `aisbf ${VERSION}: one OpenAI-compatible endpoint for OpenAI, Anthropic, Gemini and Ollama

Usage: aisbf [command] [options]

Commands:
  serve            run the gateway in the foreground (the default)
  daemon           run it in the background; returns once it answers
  status           is the daemon running, and how are its providers (exit 0 running, 3 not)
  stop             stop the daemon, letting in-flight requests finish
  install-service  write a systemd unit (launchd plist on macOS) to run it as a service
  config check     validate the config and show what would be served (keys masked)
  config path      print the config directory
  keys             client API keys: add NAME, list, remove NAME

Options:
  --version        print the version
  -h, --help       this help; 'aisbf <command> --help' for a command's options
`;

type Command = (argv: string[], env: Record<string, string | undefined>) => Promise<number>;

const COMMANDS: Record<string, { run: Command; help: string }> = {
  serve: { run: serveCommand, help: SERVE_HELP },
  daemon: { run: daemonCommand, help: DAEMON_HELP },
  status: { run: statusCommand, help: STATUS_HELP },
  stop: { run: stopCommand, help: STOP_HELP },
  "install-service": { run: installServiceCommand, help: INSTALL_SERVICE_HELP },
  config: { run: configCommand, help: CONFIG_HELP },
  keys: { run: keysCommand, help: KEYS_HELP },
};

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === "--version" || first === "-v" || first === "version") {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (first === "--help" || first === "-h" || first === "help") {
    const topic = rest[0] === undefined ? undefined : COMMANDS[rest[0]];
    process.stdout.write(topic ? topic.help : HELP);
    return 0;
  }
  const name = first === undefined || first.startsWith("-") ? "serve" : first;
  const args = name === first ? rest : argv;
  const command = COMMANDS[name];
  if (!command) throw new UsageError(`unknown command '${name}'`);
  return command.run(args, process.env);
}

/** Exit codes from sysexits(3) where one fits; the one place an outcome becomes an exit status. */
const EXIT = { failed: 1, usage: 2, forcedStop: 75, config: 78 } as const;

function exitCodeFor(error: unknown): number {
  if (error instanceof ConfigError) return EXIT.config; // EX_CONFIG
  if (error instanceof ForcedStop) return EXIT.forcedStop; // EX_TEMPFAIL: stopped, but work was cut
  const code = (error as { code?: unknown } | null)?.code;
  if (error instanceof UsageError || (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS")))
    return EXIT.usage;
  return EXIT.failed;
}

let code: number;
try {
  code = await main(process.argv.slice(2));
} catch (thrown) {
  // A LoggedError was written already, in the log's own format; anything else is said here, once.
  const error = thrown instanceof LoggedError ? thrown.reason : thrown;
  code = exitCodeFor(error);
  if (!(thrown instanceof LoggedError)) {
    const hint = code === EXIT.usage ? "\nRun 'aisbf --help' for usage." : "";
    process.stderr.write(`aisbf: ${error instanceof Error ? error.message : String(error)}${hint}\n`);
  }
}
// Exit explicitly: idle keep-alive sockets to upstreams must not hold a stopped server open.
process.exit(code);
