// How deeply a parsed JSON body nests: a body nested thousands deep parses (both runtimes' JSON.parse are not
// recursive), then overflows the stack wherever it is serialised again, so it is refused up front as bad input.
// Checked on the parsed value, not the text: the walk visits objects and arrays only, so a 100 KB prompt costs a
// few dozen steps instead of a pass over every character.

export const MAX_JSON_DEPTH = 128;

/** True when `value` nests objects/arrays deeper than `limit` (the outermost object is depth 1). Iterative. */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  if (value === null || typeof value !== "object") return false;
  const pending: object[] = [value];
  const depths: number[] = [1];
  while (pending.length > 0) {
    const node = pending.pop() as object;
    const depth = depths.pop() as number;
    if (depth > limit) return true;
    const children = Array.isArray(node) ? node : Object.values(node);
    for (const child of children) {
      if (child !== null && typeof child === "object") {
        pending.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}
