// The default config files, imported so that `bun build --compile` embeds them in the binary.
import providers from "../../config/providers.json" with { type: "json" };
import rotations from "../../config/rotations.json" with { type: "json" };

export const DEFAULT_FILES: Readonly<Record<string, unknown>> = {
  "providers.json": providers,
  "rotations.json": rotations,
};
