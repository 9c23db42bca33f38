// Tool JSON Schemas -> Gemini's Schema (an OpenAPI 3.0 subset), removing what Gemini rejects.
// Accepted fields: https://ai.google.dev/api/caching#Schema (mirrored by the SDK's `Schema` type).
import type { Schema, Type } from "@google/genai";
import { GeminiType } from "./enums.ts";

const TYPES: Record<string, Type> = {
  string: GeminiType.STRING,
  number: GeminiType.NUMBER,
  integer: GeminiType.INTEGER,
  boolean: GeminiType.BOOLEAN,
  array: GeminiType.ARRAY,
  object: GeminiType.OBJECT,
};

/** Formats Gemini accepts per type; others are removed (it rejects e.g. "uri" or "email"). */
const FORMATS: Partial<Record<Type, string[]>> = {
  [GeminiType.STRING]: ["enum", "date-time"],
  [GeminiType.NUMBER]: ["float", "double"],
  [GeminiType.INTEGER]: ["int32", "int64"],
};

/** JSON Schema keywords we translate; anything else is removed and named in the warning. */
const HANDLED = new Set([
  "type",
  "description",
  "title",
  "default",
  "example",
  "nullable",
  "format",
  "enum",
  "const",
  "properties",
  "required",
  "propertyOrdering",
  "items",
  "anyOf",
  "oneOf",
  "allOf",
  "$ref",
  "$defs",
  "definitions",
  "minimum",
  "maximum",
  "minItems",
  "maxItems",
  "minLength",
  "maxLength",
  "minProperties",
  "maxProperties",
  "pattern",
]);

const COUNTS = ["minItems", "maxItems", "minLength", "maxLength", "minProperties", "maxProperties"] as const;
const MAX_DEPTH = 24;

interface Context {
  defs: Record<string, unknown>;
  removed: Set<string>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function resolveRef(ref: string, context: Context): Record<string, unknown> | undefined {
  const match = /^#\/(?:\$defs|definitions)\/(.+)$/.exec(ref);
  const target = match?.[1] === undefined ? undefined : context.defs[match[1]];
  return isRecord(target) ? target : undefined;
}

function applyType(node: Record<string, unknown>, out: Schema, context: Context): void {
  const raw = node.type;
  const names = (Array.isArray(raw) ? raw : [raw]).filter((name): name is string => typeof name === "string");
  if (names.includes("null")) out.nullable = true;
  const real = names.filter((name) => name !== "null");
  const mapped = real[0] === undefined ? undefined : TYPES[real[0]];
  if (mapped) out.type = mapped;
  if (real.length > 1) context.removed.add("type (multiple types)");
}

function applyEnum(node: Record<string, unknown>, out: Schema, context: Context): void {
  const values = node.enum !== undefined ? node.enum : node.const !== undefined ? [node.const] : undefined;
  if (!Array.isArray(values)) return;
  if (values.includes(null)) out.nullable = true;
  const present = values.filter((value) => value !== null);
  // Gemini's enum is string-only (with type STRING); numeric or boolean enums cannot be expressed.
  if (present.every((value): value is string => typeof value === "string")) {
    out.enum = present;
    if (!out.type) out.type = GeminiType.STRING;
  } else {
    context.removed.add(node.enum !== undefined ? "enum (non-string values)" : "const (non-string value)");
    // Keep at least the values' type, so the parameter is not left untyped.
    if (!out.type && present.every((value) => typeof value === "number")) {
      out.type = present.every((value) => Number.isInteger(value)) ? GeminiType.INTEGER : GeminiType.NUMBER;
    } else if (!out.type && present.every((value) => typeof value === "boolean"))
      out.type = GeminiType.BOOLEAN;
  }
}

function applyChildren(node: Record<string, unknown>, out: Schema, context: Context, depth: number): void {
  if (isRecord(node.properties)) {
    const properties: Record<string, Schema> = {};
    for (const [name, child] of Object.entries(node.properties))
      properties[name] = convert(child, context, depth + 1);
    out.properties = properties;
  }
  if (Array.isArray(node.required)) {
    out.required = node.required.filter((name): name is string => typeof name === "string");
  }
  if (Array.isArray(node.propertyOrdering)) {
    out.propertyOrdering = node.propertyOrdering.filter((name): name is string => typeof name === "string");
  }
  if (isRecord(node.items)) out.items = convert(node.items, context, depth + 1);
  else if (Array.isArray(node.items)) context.removed.add("items (tuple form)");
  const alternatives = Array.isArray(node.anyOf)
    ? node.anyOf
    : Array.isArray(node.oneOf)
      ? node.oneOf
      : undefined;
  if (Array.isArray(node.oneOf)) context.removed.add("oneOf (sent as anyOf)");
  if (alternatives) applyAlternatives(alternatives, out, context, depth);
}

/**
 * anyOf/oneOf. A `{type: "null"}` branch (how Pydantic and zod spell Optional) becomes `nullable`, and a
 * single remaining branch is inlined, since Gemini cannot read a branch that has no type.
 */
function applyAlternatives(alternatives: unknown[], out: Schema, context: Context, depth: number): void {
  const isNull = (child: unknown) =>
    isRecord(child) && child.type === "null" && Object.keys(child).length === 1;
  const rest = alternatives.filter((child) => !isNull(child));
  if (rest.length < alternatives.length) out.nullable = true;
  const converted = rest.map((child) => convert(child, context, depth + 1));
  const only = converted[0];
  if (converted.length === 1 && only)
    Object.assign(out, { ...only, ...out, nullable: out.nullable ?? only.nullable });
  else if (converted.length > 1) out.anyOf = converted;
}

function applyScalars(node: Record<string, unknown>, out: Schema, context: Context): void {
  if (typeof node.description === "string") out.description = node.description;
  if (typeof node.title === "string") out.title = node.title;
  // A null default or example is left out: @google/genai never sent one (it skips null keywords), kept as it was.
  if (node.default != null) out.default = node.default;
  if (node.example != null) out.example = node.example;
  if (typeof node.nullable === "boolean") out.nullable = node.nullable || out.nullable === true;
  if (typeof node.pattern === "string") out.pattern = node.pattern;
  if (typeof node.minimum === "number") out.minimum = node.minimum;
  if (typeof node.maximum === "number") out.maximum = node.maximum;
  // The SDK types int64 counts as strings (proto JSON); Gemini accepts either.
  for (const key of COUNTS) if (typeof node[key] === "number") out[key] = String(node[key]);
  if (typeof node.format === "string") {
    if (out.type && FORMATS[out.type]?.includes(node.format)) out.format = node.format;
    else context.removed.add(`format "${node.format}"`);
  }
}

function convert(value: unknown, context: Context, depth: number): Schema {
  if (!isRecord(value) || depth > MAX_DEPTH) return {};
  let node = value;
  if (typeof node.$ref === "string") {
    const target = depth < MAX_DEPTH ? resolveRef(node.$ref, context) : undefined;
    if (!target) {
      context.removed.add("$ref (unresolvable)");
      return typeof node.description === "string" ? { description: node.description } : {};
    }
    // Inlined: Gemini's Schema has no references. Sibling keywords (a description) win over the target's.
    const { $ref: _ref, ...siblings } = node;
    node = { ...target, ...siblings };
  }
  if (Array.isArray(node.allOf) && node.allOf.length === 1 && isRecord(node.allOf[0])) {
    const { allOf: _allOf, ...rest } = node;
    node = { ...node.allOf[0], ...rest };
  } else if (node.allOf !== undefined) {
    context.removed.add("allOf");
  }
  for (const key of Object.keys(node)) if (!HANDLED.has(key)) context.removed.add(key);
  const out: Schema = {};
  applyType(node, out, context);
  applyEnum(node, out, context);
  applyScalars(node, out, context);
  applyChildren(node, out, context, depth);
  return out;
}

/**
 * The Gemini form of one tool's `parameters`, and the keywords that had to go. An object schema with no
 * properties becomes undefined: Gemini rejects an OBJECT parameter schema with empty `properties`.
 */
export function toGeminiSchema(parameters: Record<string, unknown>): {
  schema: Schema | undefined;
  removed: string[];
} {
  const defs = {
    ...(isRecord(parameters.definitions) ? parameters.definitions : {}),
    ...(isRecord(parameters.$defs) ? parameters.$defs : {}),
  };
  const context: Context = { defs, removed: new Set() };
  const schema = convert(parameters, context, 0);
  const empty = schema.type === GeminiType.OBJECT && Object.keys(schema.properties ?? {}).length === 0;
  return { schema: empty ? undefined : schema, removed: [...context.removed] };
}
