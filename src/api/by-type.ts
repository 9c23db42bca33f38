// A zod object validated by the schema its `type` names: a known item with a bad field is refused naming that field,
// where a plain union would only say "invalid input" or take it for another kind.
import { z } from "zod";

/** `fallback` validates types without a schema of their own; `defaultType` stands in for a missing `type`. */
export function byType<S extends Record<string, z.ZodType>, F extends z.ZodType>(
  schemas: S,
  fallback: F,
  defaultType?: string,
): z.ZodType<z.infer<S[keyof S]> | z.infer<F>> {
  return z.looseObject({ type: z.string().optional() }).check((ctx) => {
    const value = ctx.value as { type?: string };
    const type = value.type ?? defaultType;
    const schema = (
      type !== undefined && Object.hasOwn(schemas, type) ? schemas[type] : fallback
    ) as z.ZodType;
    const checked = z.safeParse(schema, value);
    if (checked.success) return;
    for (const issue of checked.error.issues) {
      ctx.issues.push({ ...issue, input: value } as (typeof ctx.issues)[number]);
    }
  }) as unknown as z.ZodType<z.infer<S[keyof S]> | z.infer<F>>;
}
