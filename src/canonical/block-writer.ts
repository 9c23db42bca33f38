// Canonical blocks for an upstream that streams bare deltas (OpenAI Chat, Gemini, Ollama): one text-like block open
// at a time, a delta of another kind closing it and opening the next; blocks of their own (tool calls) take the next
// index after closing it.
import type { StreamEvent } from "./stream.ts";

export type TextLike = "text" | "thinking" | "refusal";

export interface BlockWriter {
  /** The index of the open block of `kind`, starting it (and closing another kind's) when needed. */
  write(kind: TextLike, out: StreamEvent[]): number;
  /** Closes the open text-like block, if any. */
  close(out: StreamEvent[]): void;
  /** An index for a block of its own (a tool call), after closing the open text-like block. */
  next(out: StreamEvent[]): number;
  /** The kind of text-like block open now, if any. */
  readonly open: TextLike | undefined;
}

/** `thinkingOrigin` names whose reasoning the thinking blocks are ("google", "ollama"). */
export function createBlockWriter(thinkingOrigin?: string): BlockWriter {
  let nextIndex = 0;
  let open: TextLike | undefined;
  let openIndex = -1;
  const close = (out: StreamEvent[]) => {
    if (open !== undefined) out.push({ type: "block_stop", index: openIndex });
    open = undefined;
  };
  return {
    write(kind, out) {
      if (open !== kind) {
        close(out);
        open = kind;
        openIndex = nextIndex++;
        const block =
          kind === "thinking" && thinkingOrigin !== undefined
            ? { type: kind, origin: thinkingOrigin }
            : { type: kind };
        out.push({ type: "block_start", index: openIndex, block });
      }
      return openIndex;
    },
    close,
    next(out) {
      close(out);
      return nextIndex++;
    },
    get open() {
      return open;
    },
  };
}
