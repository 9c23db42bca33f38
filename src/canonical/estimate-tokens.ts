// An estimate of a canonical request's input tokens, for a count_tokens asked of a provider that has no counter:
// about four characters of text per token (the rule of thumb both Anthropic and Google give for English), and an
// image at Anthropic's largest size (https://docs.anthropic.com/en/docs/build-with-claude/vision#evaluate-image-size).
import type { ContentBlock } from "./content.ts";
import type { CanonicalRequest } from "./request.ts";

const CHARS_PER_TOKEN = 4;
const IMAGE_TOKENS = 1600;

function blockChars(block: ContentBlock): number {
  switch (block.type) {
    case "text":
    case "thinking":
    case "refusal":
      return block.text.length;
    case "tool_call":
      return block.name.length + block.arguments.length;
    case "tool_result":
      return block.content.reduce((sum, part) => sum + blockChars(part), 0);
    case "server_tool_call":
      return JSON.stringify(block.input ?? null).length;
    case "server_tool_result":
      return JSON.stringify(block.content ?? null).length;
    case "document":
      // Base64 holds three bytes in four characters; a document's text is about its bytes.
      return block.source.type === "base64" ? Math.ceil((block.source.data.length * 3) / 4) : 0;
    case "image":
      return IMAGE_TOKENS * CHARS_PER_TOKEN;
    case "redacted_thinking":
    case "audio":
      return 0;
  }
}

export function estimateInputTokens(request: CanonicalRequest): number {
  let chars = 0;
  for (const block of request.system) chars += block.text.length;
  for (const message of request.messages) for (const block of message.content) chars += blockChars(block);
  for (const tool of request.tools) {
    chars +=
      tool.name.length + (tool.description?.length ?? 0) + JSON.stringify(tool.parameters ?? {}).length;
  }
  return Math.max(1, Math.ceil(chars / CHARS_PER_TOKEN));
}
