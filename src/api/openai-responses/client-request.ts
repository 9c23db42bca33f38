// A validated Responses request as routing and adapters carry it: its canonical form and the client's own body,
// and the tool-name map its answers are rendered with.
import type { OriginalRequest } from "../../canonical/dialect.ts";
import type { CanonicalRequest } from "../../canonical/request.ts";
import type { ResponsesRequest } from "./schema.ts";
import { responsesToCanonical } from "./to-canonical.ts";
import type { ToolNames } from "./tool-names.ts";

export function responsesClientRequest(request: ResponsesRequest): {
  canonical: CanonicalRequest;
  original: OriginalRequest;
  toolNames: ToolNames;
} {
  const { canonical, toolNames } = responsesToCanonical(request);
  return {
    canonical,
    original: { dialect: "openai-responses", body: request as Record<string, unknown> },
    toolNames,
  };
}
