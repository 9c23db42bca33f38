// `aisbf config check` (validate, show what would be served, keys masked) and `aisbf config path`.
import { parseArgs } from "node:util";
import { DEFAULT_FILES } from "../config/defaults.ts";
import { prepareConfig } from "../config/load.ts";
import { type ConfigDirChoice, resolveConfigDir } from "../config/paths.ts";
import type { ProviderConfig } from "../config/schema.ts";
import { DEFAULT_MAX_BODY_BYTES } from "../server/deps.ts";
import { localUrl } from "./daemon-files.ts";
import { rejectEmptyValues } from "./flag-values.ts";
import { listenAddress } from "./server-settings.ts";
import { UsageError } from "./usage-error.ts";

export const CONFIG_HELP = `Usage: aisbf config <check|path> [options]

  check   validate the config and print what would be served (keys are never shown, only whether set);
          exit 0 if valid, 78 with the file, field and problem if not
  path    print the config directory in use

Options:
  --config-dir DIR     config directory (default: env AISBF_CONFIG_DIR, else ~/.aisbf)
  -h, --help           this help
`;

const SOURCES: Record<ConfigDirChoice["source"], string> = {
  flag: "--config-dir",
  env: "AISBF_CONFIG_DIR",
  home: "default",
};

export async function configCommand(
  argv: string[],
  env: Record<string, string | undefined>,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { "config-dir": { type: "string" }, help: { type: "boolean", short: "h" } },
    allowPositionals: true,
    strict: true,
  });
  rejectEmptyValues(values);
  const [action, ...extra] = positionals;
  if (values.help || action === undefined) {
    process.stdout.write(CONFIG_HELP);
    return values.help ? 0 : 2;
  }
  if (extra.length > 0) throw new UsageError(`config ${action}: unexpected argument '${extra[0]}'`);
  const choice = resolveConfigDir(values["config-dir"], env);
  if (action === "path") {
    process.stdout.write(`${choice.dir}\n`);
    return 0;
  }
  if (action !== "check") throw new UsageError(`config: unknown action '${action}' (check or path)`);
  process.stdout.write(checkReport(choice, env));
  return 0;
}

/** Runs serve's own first-run and validation logic without writing anything, then says what would be served. */
function checkReport(choice: ConfigDirChoice, env: Record<string, string | undefined>): string {
  const lines = [`config dir: ${choice.dir} (${SOURCES[choice.source]})`];
  const { config, firstRun } = prepareConfig(choice.dir, env, { write: false });
  if (firstRun.length === Object.keys(DEFAULT_FILES).length) {
    lines.push("  no config files yet: the built-in defaults shown here are written there on first start");
  } else {
    for (const path of firstRun)
      lines.push(`  ${path} missing: the built-in default shown here is written on first start`);
  }
  const { host, port } = listenAddress({}, env, config.server);
  const maxBody = config.server.max_body_bytes ?? DEFAULT_MAX_BODY_BYTES;
  lines.push(`serves: ${localUrl(host, port)} (request bodies up to ${maxBody} bytes)`);

  const providers = Object.values(config.providers);
  lines.push(providers.length > 0 ? "providers:" : "providers: none");
  for (const provider of providers) {
    lines.push(`  ${provider.id} (${provider.type}) ${provider.endpoint}`);
    lines.push(`    key: ${describeKey(provider)}`);
    const models = (provider.models ?? []).map((model) => model.name);
    lines.push(`    models: ${models.join(", ") || "(asked from the upstream)"}`);
  }
  const rotations = Object.entries(config.rotations);
  lines.push(rotations.length > 0 ? "rotations:" : "rotations: none");
  for (const [name, rotation] of rotations) {
    const targets = rotation.providers.flatMap((member) =>
      member.models.map((model) => `${member.provider_id}/${model.name} x${model.weight}`),
    );
    lines.push(`  ${name} (${rotation.strategy ?? "weighted"}): ${targets.join(", ")}`);
  }
  for (const warning of config.warnings) lines.push(`warning: ${warning}`);
  lines.push("config OK");
  return `${lines.join("\n")}\n`;
}

/** Whether a key is there and where it comes from; never any of its characters. */
function describeKey(provider: ProviderConfig): string {
  if (provider.api_key) {
    return provider.api_key_env ? `set (from $${provider.api_key_env})` : "set (literal in providers.json)";
  }
  if (!provider.api_key_required) return "not needed";
  const variable = provider.api_key_env ? `set ${provider.api_key_env}` : "add api_key";
  return `missing (${variable}; until then a caller's own bearer token is passed on)`;
}
