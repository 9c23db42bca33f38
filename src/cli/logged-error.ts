// An error a command has already written to its log; main.ts then only turns it into an exit code.

/**
 * In JSON log mode a fatal error must be one JSON line too, so `serve` logs it itself and throws this:
 * main.ts takes the exit code from `reason` and prints nothing more.
 */
export class LoggedError extends Error {
  constructor(readonly reason: unknown) {
    super(reason instanceof Error ? reason.message : String(reason));
    this.name = "LoggedError";
  }
}
