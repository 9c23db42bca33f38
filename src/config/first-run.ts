// The first run: create the config directory (0700) and copy in the default files it lacks (0600), never overwriting.
import { accessSync, chmodSync, constants, existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { ConfigError, osReason } from "./config-error.ts";
import { DEFAULT_FILES } from "./defaults.ts";

export interface FirstRunPlan {
  dir: string;
  createDir: boolean;
  /** Default files missing from the directory, by name. */
  files: string[];
}

/**
 * What the first run has to create in `dir`. Throws a ConfigError naming the directory and the OS's reason when it
 * could not: `config check` calls only this, `serve` this and then applyFirstRun, so both fail on the same dirs.
 */
export function planFirstRun(dir: string): FirstRunPlan {
  const stats = statOrUndefined(dir);
  if (stats && !stats.isDirectory()) throw new ConfigError(`${dir}: the config directory is not a directory`);
  const names = Object.keys(DEFAULT_FILES);
  const files = stats ? names.filter((name) => !existsSync(join(dir, name))) : names;
  if (files.length === 0) return { dir, createDir: false, files };
  if (stats) {
    checkWritable(
      dir,
      (reason) => `${dir}: cannot write the default config (${files.join(", ")}): ${reason}`,
    );
  } else {
    const parent = nearestExisting(dirname(dir));
    const cannot = `${dir}: cannot create the config directory`;
    if (!statSync(parent).isDirectory()) throw new ConfigError(`${cannot}: ${parent} is not a directory`);
    checkWritable(parent, (reason) => `${cannot}: ${parent} is not writable: ${reason}`);
  }
  return { dir, createDir: !stats, files };
}

/** Carries the plan out; returns the paths written. A file another process created meanwhile is left as it is. */
export function applyFirstRun(plan: FirstRunPlan): string[] {
  if (plan.createDir) {
    try {
      mkdirSync(plan.dir, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw new ConfigError(`${plan.dir}: cannot create the config directory: ${osReason(error)}`);
    }
  }
  const created: string[] = [];
  for (const name of plan.files) {
    const path = join(plan.dir, name);
    try {
      // "wx" fails if another process created the file meanwhile: theirs wins, ours is not written.
      writeFileSync(path, `${JSON.stringify(DEFAULT_FILES[name], null, 2)}\n`, { mode: 0o600, flag: "wx" });
      chmodSync(path, 0o600);
      created.push(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") {
        throw new ConfigError(`${path}: cannot write the default config: ${osReason(error)}`);
      }
    }
  }
  return created;
}

/** Creates the directory and copies in any default file it lacks; returns the paths written. */
export function ensureConfigDir(dir: string): string[] {
  return applyFirstRun(planFirstRun(dir));
}

function statOrUndefined(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function nearestExisting(path: string): string {
  let current = path;
  while (!existsSync(current) && dirname(current) !== current) current = dirname(current);
  return current;
}

/** access(2) answers as the write would (a read-only file system, a directory of another user), writing nothing. */
function checkWritable(dir: string, message: (reason: string) => string): void {
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (error) {
    throw new ConfigError(message(osReason(error)));
  }
}
