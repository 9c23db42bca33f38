// What a request asks of a target beyond text: the first PDF document it carries, which routing sends only to a
// target that reads documents.
import type { ContentBlock, DocumentBlock } from "./content.ts";
import type { CanonicalRequest } from "./request.ts";

function isPdf(block: ContentBlock): block is DocumentBlock {
  return (
    block.type === "document" &&
    block.source.type === "base64" &&
    block.source.mediaType === "application/pdf"
  );
}

/** The first PDF document given as bytes, in a turn or in a tool result; undefined when there is none. */
export function firstPdfDocument(request: CanonicalRequest): DocumentBlock | undefined {
  for (const message of request.messages) {
    for (const block of message.content) {
      if (isPdf(block)) return block;
      if (block.type === "tool_result") {
        const inner = block.content.find(isPdf);
        if (inner) return inner as DocumentBlock;
      }
    }
  }
  return undefined;
}
