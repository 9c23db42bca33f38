// Namespace tools flattened to plain function names for providers that have no namespaces, and mapped back.
// A namespace tool (https://platform.openai.com/docs/guides/tools#namespaces) groups functions the model calls as
// {namespace, name}; Anthropic, Gemini, Ollama and the Chat API know only flat names, so each function of a namespace
// is offered as "<namespace>__<name>" and a call of that name is answered as {namespace, name} again.

/** Where a flat function name came from. */
export interface QualifiedName {
  name: string;
  namespace?: string;
}

export interface ToolNames {
  /** The flat name offered upstream for a function of `namespace` (or a top-level one). */
  flat(name: string, namespace?: string | null): string;
  /** What the client calls a flat name the model used: its namespace and own name. */
  qualified(flat: string): QualifiedName;
}

const SEPARATOR = "__";

/** Names every provider takes: Anthropic and Gemini allow letters, digits, _ and - up to 64 characters. */
const MAX_NAME = 64;

/**
 * Built from the request's namespaces: `namespaces` maps each namespace to its functions' names, `topLevel` lists
 * the plain functions (a flat name must not shadow one). A flat name that would collide gets a numeric suffix.
 */
export function createToolNames(namespaces: Map<string, string[]>, topLevel: Iterable<string>): ToolNames {
  const taken = new Set(topLevel);
  const toFlat = new Map<string, string>();
  const fromFlat = new Map<string, QualifiedName>();
  for (const [namespace, names] of namespaces) {
    for (const name of names) {
      const base = `${namespace}${SEPARATOR}${name}`.slice(0, MAX_NAME);
      let flat = base;
      for (let n = 2; taken.has(flat); n++) flat = `${base.slice(0, MAX_NAME - String(n).length - 1)}_${n}`;
      taken.add(flat);
      toFlat.set(key(name, namespace), flat);
      fromFlat.set(flat, { name, namespace });
    }
  }
  return {
    flat(name, namespace) {
      if (!namespace) return name;
      // A call of a namespace the request no longer offers keeps the same spelling, so a history still pairs up.
      return toFlat.get(key(name, namespace)) ?? `${namespace}${SEPARATOR}${name}`;
    },
    qualified(flat) {
      return fromFlat.get(flat) ?? { name: flat };
    },
  };
}

function key(name: string, namespace: string): string {
  return `${namespace}\u0000${name}`;
}
