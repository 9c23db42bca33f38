// Adapters that still speak OpenAI chunks, read as canonical frames: the chunk's meaning as events, and its bytes
// as forwardable only when they are the upstream's own (an OpenAI pass-through).
import { createChunkEvents } from "../api/openai-chat/chunk-events.ts";
import type { StreamFrame } from "../canonical/stream.ts";
import type { PullReader } from "./types.ts";
import type { ChunkStream, FrameStream } from "./types.ts";

export function framesOf(chunks: ChunkStream): FrameStream {
  const reader = chunks.getReader();
  const events = createChunkEvents();
  const frames: PullReader<StreamFrame> = {
    async read() {
      const next = await reader.read();
      if (next.done) return { done: true };
      const { chunk, raw } = next.value;
      const frame: StreamFrame = { events: events.read(chunk) };
      if (raw !== undefined) frame.raw = { dialect: "openai-chat", data: raw };
      return { done: false, value: frame };
    },
    cancel: (reason) => reader.cancel(reason),
  };
  return { getReader: () => frames };
}
