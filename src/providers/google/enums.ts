// The @google/genai string enums the translators use, as plain values: importing the enums themselves
// would load the whole SDK at start-up, before any Google provider is used.
import type { FunctionCallingConfigMode, Type } from "@google/genai";

// Each enum's values are its member names (Type.STRING = "STRING", in the SDK's genai.d.ts): `satisfies`
// checks every value written here against the enum, and the casts below only restate what it checked.

type TypeName = "STRING" | "NUMBER" | "INTEGER" | "BOOLEAN" | "ARRAY" | "OBJECT";

const TYPE_VALUES = {
  STRING: "STRING",
  NUMBER: "NUMBER",
  INTEGER: "INTEGER",
  BOOLEAN: "BOOLEAN",
  ARRAY: "ARRAY",
  OBJECT: "OBJECT",
} as const satisfies { [Name in TypeName]: `${(typeof Type)[Name]}` };

/** Schema types: https://ai.google.dev/api/caching#Type */
export const GeminiType = TYPE_VALUES as { readonly [Name in TypeName]: (typeof Type)[Name] };

type ModeName = "AUTO" | "ANY" | "NONE";

const MODE_VALUES = {
  AUTO: "AUTO",
  ANY: "ANY",
  NONE: "NONE",
} as const satisfies { [Name in ModeName]: `${(typeof FunctionCallingConfigMode)[Name]}` };

/** Function calling modes: https://ai.google.dev/api/caching#Mode_1 */
export const GeminiFunctionCallingMode = MODE_VALUES as {
  readonly [Name in ModeName]: (typeof FunctionCallingConfigMode)[Name];
};
