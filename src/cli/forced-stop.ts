// A stop that had to cut work short; main.ts exits 75 (EX_TEMPFAIL) on it, so scripts and service managers can tell.

/**
 * The server stopped, but not cleanly: requests or streams still open when the shutdown grace ended were cut
 * (`serve`), or the process had to be killed (`stop`). Exit 0 would tell a script all answers were whole.
 */
export class ForcedStop extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ForcedStop";
  }
}
