// The error of a config that cannot be used; main.ts exits 78 (EX_CONFIG) on it.

/** A config file or directory is missing, unreadable or invalid; the message names the path and the problem. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** The OS's reason for a failed file operation in words, with its code: "permission denied (EACCES)". */
export function osReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as NodeJS.ErrnoException).code;
  // Node and Bun word it "EACCES: permission denied, mkdir '/x'": the path is said by the caller, once.
  const words = /^[A-Z0-9]+: ([^,]+)/.exec(message)?.[1] ?? message;
  return code && !words.includes(code) ? `${words} (${code})` : words;
}
