// ${ENV} references in config strings, filled from the environment at load time.

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

export interface Interpolated {
  value: string | undefined;
  /** Variables the string referenced. */
  names: string[];
  /** Referenced variables that are unset or empty; `value` is undefined when there are any. */
  missing: string[];
}

export function interpolateEnv(text: string, env: Record<string, string | undefined>): Interpolated {
  const names: string[] = [];
  const missing: string[] = [];
  const value = text.replace(REFERENCE, (_match, name: string) => {
    names.push(name);
    const found = env[name];
    if (found === undefined || found === "") {
      missing.push(name);
      return "";
    }
    return found;
  });
  return { value: missing.length > 0 ? undefined : value, names, missing };
}
