// Function call arguments streamed in pieces (Vertex streamFunctionCallArguments): each piece a JSON path and a
// value, assembled into the arguments object the call ends with.
// PartialArg: https://googleapis.github.io/js-genai/release_docs/interfaces/types.PartialArg.html
import type { PartialArg } from "./wire.ts";

function pathKeys(jsonPath: string): Array<string | number> {
  const keys: Array<string | number> = [];
  for (const match of jsonPath.replace(/^\$/, "").matchAll(/\.([^.[\]]+)|\[(\d+)\]|\['([^']*)'\]/g)) {
    if (match[1] !== undefined) keys.push(match[1]);
    else if (match[2] !== undefined) keys.push(Number(match[2]));
    else if (match[3] !== undefined) keys.push(match[3]);
  }
  return keys;
}

function argValue(arg: PartialArg): { value: unknown } | undefined {
  if (arg.stringValue != null) return { value: arg.stringValue };
  if (arg.numberValue != null) return { value: arg.numberValue };
  if (arg.boolValue != null) return { value: arg.boolValue };
  if (arg.nullValue !== undefined) return { value: null };
  return undefined;
}

/** Sets one partialArgs piece into the arguments object; string pieces for the same path are concatenated. */
export function applyPartialArg(args: Record<string, unknown>, arg: PartialArg): void {
  const keys = pathKeys(arg.jsonPath ?? "");
  const found = argValue(arg);
  const last = keys[keys.length - 1];
  if (!found || last === undefined) return;
  let node: object = args;
  for (const [position, key] of keys.slice(0, -1).entries()) {
    const current: unknown = Reflect.get(node, key);
    const next: object =
      typeof current === "object" && current !== null
        ? current
        : typeof keys[position + 1] === "number"
          ? []
          : {};
    if (next !== current) Reflect.set(node, key, next);
    node = next;
  }
  const existing: unknown = Reflect.get(node, last);
  Reflect.set(
    node,
    last,
    typeof existing === "string" && typeof found.value === "string" ? existing + found.value : found.value,
  );
}
