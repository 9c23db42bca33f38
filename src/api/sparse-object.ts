// A zod loose object whose optional fields are validated only when present.
import { z } from "zod";

/**
 * Accepts, refuses and returns what `z.looseObject({ ...required, ...optional })` does, with the same first issue
 * when `required` comes first in that shape, for less work: a zod object runs every key of its shape on every
 * parse, present or not, and a chat request leaves most of its optional top-level fields out. Present optional fields are checked in the
 * shape's order by their own schemas and kept as sent, which is what a loose object returns for schemas that do
 * not transform (none of ours do). sparse-object.test.ts and chat.test.ts hold it to the plain object's answers.
 */
export function sparseLooseObject<R extends z.ZodRawShape, O extends z.ZodRawShape>(
  required: R,
  optional: O,
): z.ZodObject<R & O, z.core.$loose> {
  const keys = Object.keys(optional);
  const schemas: Record<string, z.core.$ZodType> = optional;
  return z.looseObject(required).check((ctx) => {
    const value = ctx.value as Record<string, unknown>;
    for (const key of keys) {
      const field = value[key];
      if (field === undefined) continue;
      const checked = z.safeParse(schemas[key] as z.core.$ZodType, field);
      if (checked.success) continue;
      for (const issue of checked.error.issues) {
        ctx.issues.push({
          ...issue,
          path: [key, ...issue.path],
          input: field,
        } as (typeof ctx.issues)[number]);
      }
    }
  }) as unknown as z.ZodObject<R & O, z.core.$loose>;
}
