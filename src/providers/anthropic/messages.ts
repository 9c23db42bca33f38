// Pure: canonical system text and turns -> Anthropic `system` blocks and alternating user/assistant messages.
// Messages: https://docs.anthropic.com/en/api/messages#body-messages ; system: https://docs.anthropic.com/en/api/messages#body-system
import type Anthropic from "@anthropic-ai/sdk";
import type { Message, TextBlock } from "../../canonical/content.ts";
import {
  type AnthropicBlockParam,
  assistantBlockParam,
  textParam,
  userBlockParam,
} from "./content-blocks.ts";

type Warn = (text: string) => void;

/** One Messages API turn, its blocks including server tool blocks the SDK's params do not all name. */
export interface AnthropicMessageParam {
  role: "user" | "assistant";
  content: AnthropicBlockParam[];
}

function systemBlocks(system: TextBlock[], warn: Warn): Anthropic.TextBlockParam[] {
  const blocks: Anthropic.TextBlockParam[] = [];
  for (const block of system) {
    const param = textParam(block, warn);
    if (param) blocks.push(param);
  }
  return blocks;
}

function turnOf(message: Message, warn: Warn): AnthropicMessageParam {
  const convert = message.role === "user" ? userBlockParam : assistantBlockParam;
  if (message.name) warn("message name fields are not supported by Anthropic and were dropped");
  const content: AnthropicBlockParam[] = [];
  for (const block of message.content) {
    const param = convert(block, warn);
    if (param) content.push(param);
  }
  return { role: message.role, content };
}

export function convertMessages(
  system: TextBlock[],
  messages: Message[],
  warn: Warn,
): { system: Anthropic.TextBlockParam[]; messages: AnthropicMessageParam[] } {
  const turns: AnthropicMessageParam[] = [];
  for (const message of messages) {
    const turn = turnOf(message, warn);
    if (turn.content.length === 0) {
      warn(`an empty ${message.role} message was dropped`);
      continue;
    }
    // Consecutive same-role turns are merged: Anthropic wants user and assistant to alternate.
    const last = turns.at(-1);
    if (last && last.role === turn.role) last.content.push(...turn.content);
    else turns.push(turn);
  }
  return { system: systemBlocks(system, warn), messages: turns };
}
