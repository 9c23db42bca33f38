// A validated Messages request as routing and adapters carry it: its canonical form, the client's own body, and the
// Anthropic headers an Anthropic target is sent with it (anthropic-version, anthropic-beta).
import type { OriginalRequest } from "../../canonical/dialect.ts";
import type { CanonicalRequest } from "../../canonical/request.ts";
import type { CountTokensRequest, MessagesRequest } from "./schema.ts";
import { messagesToCanonical } from "./to-canonical.ts";

/** The client headers that belong to its body: an Anthropic target gets them with it, nothing else reads them. */
export const FORWARDED_HEADERS = ["anthropic-version", "anthropic-beta"] as const;

export function messagesClientRequest(
  request: MessagesRequest | CountTokensRequest,
  header: (name: string) => string | undefined,
): {
  canonical: CanonicalRequest;
  original: OriginalRequest;
  headers: Record<string, string>;
  billingLineDropped: boolean;
} {
  const { canonical, billingLineDropped } = messagesToCanonical(request);
  const headers: Record<string, string> = {};
  for (const name of FORWARDED_HEADERS) {
    const value = header(name);
    if (value) headers[name] = value;
  }
  return {
    canonical,
    original: { dialect: "anthropic-messages", body: request as Record<string, unknown> },
    headers,
    billingLineDropped,
  };
}
