// Whose reasoning a thinking block is, when Anthropic made it: the one name for "signed by Anthropic" (OpenRouter's
// reasoning_details format, too). The Anthropic provider marks its answers' thinking with it.
export const ANTHROPIC_ORIGIN = "anthropic-claude-v1";
