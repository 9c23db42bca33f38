#!/usr/bin/env bun
// Entry for `bun build --compile` and `deno run`: pick the command, run it, turn the outcome into an exit code.
import { ConfigError } from "./config/load.ts";
import { SERVE_HELP, serveCommand } from "./cli/serve.ts";
import { UsageError } from "./cli/usage-error.ts";
import { VERSION } from "./version.ts";

const HELP = `aisbf ${VERSION}: one OpenAI-compatible endpoint for OpenAI, Anthropic, Gemini and Ollama

Usage: aisbf [command] [options]

Commands:
  serve        run the gateway in the foreground (the default)

Options:
  --version    print the version
  -h, --help   this help; 'aisbf <command> --help' for a command's options
`;

type Command = (argv: string[], env: Record<string, string | undefined>) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  serve: serveCommand,
};

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === "--version" || first === "-v") {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (first === "--help" || first === "-h" || first === "help") {
    process.stdout.write(`${HELP}\n${SERVE_HELP}`);
    return 0;
  }
  const command = first === undefined || first.startsWith("-") ? "serve" : first;
  const args = command === first ? rest : argv;
  const run = COMMANDS[command];
  if (!run) throw new UsageError(`unknown command '${command}'`);
  return run(args, process.env);
}

let code: number;
try {
  code = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`aisbf: ${error.message}\n`);
    code = 78; // EX_CONFIG
  } else if (error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
    process.stderr.write(`aisbf: ${(error as Error).message}\nRun 'aisbf --help' for usage.\n`);
    code = 2;
  } else {
    process.stderr.write(`aisbf: ${error instanceof Error ? error.message : String(error)}\n`);
    code = 1;
  }
}
// Exit explicitly: idle keep-alive sockets to upstreams must not hold a stopped server open.
process.exit(code);
