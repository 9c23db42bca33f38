// A candidate's finishReason -> the canonical stop reason, or the error for an answer Gemini withheld or failed.
// FinishReason enum: https://ai.google.dev/api/generate-content#FinishReason
import { UpstreamError } from "../../api/errors.ts";
import type { StopReason } from "../../canonical/response.ts";
import { redactText } from "../../log/logger.ts";

/** Finish reasons that mean the answer was withheld by a filter. */
const FILTERED = new Set([
  "SAFETY",
  "RECITATION",
  "PROHIBITED_CONTENT",
  "BLOCKLIST",
  "SPII",
  "IMAGE_SAFETY",
  "IMAGE_PROHIBITED_CONTENT",
  "IMAGE_RECITATION",
]);

/** What the candidate produced that a client can use (thought summaries alone are not an answer). */
export interface ProducedContent {
  calledTools: boolean;
  hasText: boolean;
}

export type FinishOutcome =
  | { kind: "finish"; reason: StopReason; warning?: string }
  | { kind: "no_answer"; error: UpstreamError };

/** Reasons whose empty answer has a specific error code; any other failed reason is "no_content". */
const NO_ANSWER_CODES: Record<string, string> = {
  MALFORMED_FUNCTION_CALL: "malformed_function_call",
  UNEXPECTED_TOOL_CALL: "unexpected_tool_call",
};

function describe(reason: string, message: string | null | undefined): string {
  return message ? `${reason} (${message})` : reason;
}

/**
 * - STOP: the turn is complete: end_turn, or tool_use after function calls (Gemini says STOP for both). A matched
 *   stop sequence is STOP as well, with no word of which: Gemini's enum has no reason of its own for it.
 * - MAX_TOKENS: max_tokens. CONTINUATION (the per-request limit was reached, generation not complete; we never
 *   continue automatically) is max_tokens too, with a warning: it must not look like a whole answer.
 * - the filters: content_filter.
 * - anything else (MALFORMED_FUNCTION_CALL, UNEXPECTED_TOOL_CALL, OTHER, FINISH_REASON_UNSPECIFIED, NO_IMAGE,
 *   IMAGE_OTHER, LANGUAGE, reasons added later): the model failed. With nothing usable produced it is a
 *   retryable bad_response (another attempt or target may well answer); with content it is kept as complete,
 *   with a warning naming the reason (and Candidate.finishMessage, when Gemini gave one).
 */
export function finishOutcome(
  providerId: string,
  reason: string,
  message: string | null | undefined,
  produced: ProducedContent,
): FinishOutcome {
  const complete: StopReason = produced.calledTools ? "tool_use" : "end_turn";
  if (reason === "STOP") return { kind: "finish", reason: complete };
  if (reason === "MAX_TOKENS") return { kind: "finish", reason: "max_tokens" };
  if (reason === "CONTINUATION") {
    return {
      kind: "finish",
      reason: "max_tokens",
      warning:
        "Gemini stopped at its per-request output limit before the answer was complete (finishReason CONTINUATION); reported as stopped at the output token limit.",
    };
  }
  if (FILTERED.has(reason)) return { kind: "finish", reason: "content_filter" };
  const what = describe(reason, message);
  if (produced.calledTools || produced.hasText) {
    return {
      kind: "finish",
      reason: complete,
      warning: `Gemini ended the answer with finishReason ${what}; the content it produced is returned as complete.`,
    };
  }
  const error = new UpstreamError(
    providerId,
    redactText(`Provider '${providerId}' ended the answer without usable content: finishReason ${what}`),
    {
      status: 502,
      type: "api_error",
      code: NO_ANSWER_CODES[reason] ?? "no_content",
      kind: "bad_response",
    },
  );
  return { kind: "no_answer", error };
}
