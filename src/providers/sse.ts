// Kept for routing/stream-commit.ts, which imports PullReader from here: the type now lives in types.ts, and the
// one upstream stream reader in event-stream.ts. Remove once routing imports from types.ts.
export type { PullReader } from "./types.ts";
