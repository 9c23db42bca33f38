// Stop reasons on the OpenAI Chat wire: finish_reason folds canonical reasons together; the way back keeps what it says.
import type { StopReason } from "../../canonical/response.ts";
import type { FinishReason } from "../chat.ts";

export function finishReasonOf(reason: StopReason | null): FinishReason | null {
  switch (reason) {
    case null:
      return null;
    case "max_tokens":
      return "length";
    case "tool_use":
      return "tool_calls";
    case "refusal":
    case "content_filter":
      return "content_filter";
    case "end_turn":
    case "stop_sequence":
    // A server tool paused the turn: the answer so far is complete.
    case "pause_turn":
      return "stop";
  }
}

/** An upstream's finish_reason as a canonical reason; `stop` says no more than "the turn ended". */
export function stopReasonOf(finish: string | null | undefined): StopReason | null {
  switch (finish) {
    case null:
    case undefined:
      return null;
    case "length":
      return "max_tokens";
    case "tool_calls":
    case "function_call":
      return "tool_use";
    case "content_filter":
      return "content_filter";
    default:
      return "end_turn";
  }
}
