// The version, stamped by scripts/build through --define; from package.json when run from source.
import pkg from "../package.json" with { type: "json" };

declare const AISBF_VERSION: string | undefined;

export const VERSION: string = typeof AISBF_VERSION === "string" ? AISBF_VERSION : pkg.version;
