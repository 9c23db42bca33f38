// Which of a request's validation issues a client is told about: the one it can act on, named by its path.
import type { z } from "zod";

/** The issue a client can act on: inside a union (input as a string or a list), the branch that got furthest. */
export function deepestIssue(issues: z.core.$ZodIssue[]): z.core.$ZodIssue | undefined {
  let best: z.core.$ZodIssue | undefined;
  for (const issue of issues) {
    let candidate = issue;
    if (issue.code === "invalid_union" && issue.errors.length > 0) {
      const branches = issue.errors
        .map((branch) => deepestIssue(branch))
        .filter((found) => found !== undefined);
      const deepest = branches.sort((a, b) => b.path.length - a.path.length)[0];
      if (deepest && deepest.path.length > 0)
        candidate = { ...deepest, path: [...issue.path, ...deepest.path] };
    }
    if (!best || candidate.path.length > best.path.length) best = candidate;
  }
  return best;
}
