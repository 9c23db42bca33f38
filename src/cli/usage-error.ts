// A command line the program cannot act on; main.ts prints it with a hint and exits 2.
export class UsageError extends Error {
  override name = "UsageError";
}
