// Where the config lives: --config-dir, then AISBF_CONFIG_DIR, then ~/.aisbf (first match wins).
import { homedir } from "node:os";
import { join, resolve } from "node:path";

export interface ConfigDirChoice {
  dir: string;
  source: "flag" | "env" | "home";
}

export function resolveConfigDir(
  flag: string | undefined,
  env: Record<string, string | undefined>,
  home: string = homedir(),
): ConfigDirChoice {
  if (flag) return { dir: resolve(flag), source: "flag" };
  const fromEnv = env.AISBF_CONFIG_DIR;
  if (fromEnv) return { dir: resolve(fromEnv), source: "env" };
  return { dir: join(home, ".aisbf"), source: "home" };
}
