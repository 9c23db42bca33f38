// Continuing a cut stream: what the client has been given so far, and the run that asks a target to go on from it.
import type { StreamEvent, StreamFrame } from "../canonical/stream.ts";
import type { OpenedStream } from "./commit-point.ts";
import type { Target } from "./health.ts";
import { newProgress, runAttempts } from "./run-attempts.ts";
import type { Candidate } from "./select.ts";
import type { ClientRequest, DispatchDeps, Route } from "./types.ts";

/** What a committed stream needs to continue: the request, its route and the order its targets were tried in. */
export interface StreamContext {
  deps: DispatchDeps;
  route: Route;
  request: ClientRequest;
  order: readonly Candidate[];
  /** The client's own signal: once it aborts, nothing is continued, retried or held against a target. */
  clientSignal: AbortSignal;
}

/**
 * The answer as delivered: its text (kept only while a cut could be continued) and, once a continuation feeds it,
 * the rewrite that makes the continuation's frames speak as the same answer.
 */
export interface Transcript {
  /** The frame as the client gets it. */
  deliver(frame: StreamFrame): StreamFrame;
  /** Whether a cut could be continued now: on, one choice, no tool call delivered yet. */
  readonly continuable: boolean;
  readonly text: string;
  /** A continuation feeds the answer from now on. */
  resumed(): void;
}

export function createTranscript(context: StreamContext): Transcript {
  let continuable = context.route.continueOnCut && context.request.canonical.choices === 1;
  let text = "";
  /** The highest block index the client has seen, and the text block still open (a cut leaves it open). */
  let lastIndex = -1;
  let openText: number | undefined;
  /** While a continuation feeds the answer: its block indexes as the client's (a new map for each continuation). */
  let remap: Map<number, number> | undefined;

  /** Which blocks the client has seen, and which text block is still open: a continuation's text goes on in it. */
  function track(event: StreamEvent): void {
    if (event.type === "block_start") {
      lastIndex = Math.max(lastIndex, event.index);
      openText = event.block.type === "text" ? event.index : undefined;
    } else if (event.type === "block_stop" && event.index === openText) openText = undefined;
  }

  /** What a continuation would need: the text so far, and whether anything but text and thinking was sent. */
  function note(event: StreamEvent): void {
    // A tool call's arguments cannot be continued as text.
    if (event.type === "block_start" && event.block.type !== "text" && event.block.type !== "thinking") {
      continuable = false;
    } else if (event.type === "block_delta" && event.delta.type === "text") text += event.delta.text;
  }

  /** A continuation's event as part of the first answer: no second start, its first text block continuing ours. */
  function rewrite(event: StreamEvent, remap: Map<number, number>): StreamEvent | undefined {
    if (event.type === "start") return undefined;
    if (event.type !== "block_start" && event.type !== "block_delta" && event.type !== "block_stop")
      return event;
    let index = remap.get(event.index);
    if (index === undefined) {
      // The cut text block stays open: the continuation's text goes on in it, and its stop closes it.
      if (event.type === "block_start" && event.block.type === "text" && openText !== undefined) {
        remap.set(event.index, openText);
        return undefined;
      }
      index = lastIndex + 1;
      remap.set(event.index, index);
    }
    return { ...event, index };
  }

  function see(event: StreamEvent): void {
    track(event);
    if (continuable) note(event);
  }

  return {
    deliver(frame) {
      if (!remap) {
        // An upstream's own stream whose items and numbering another provider's text cannot join.
        if (frame.raw?.continuable === false) continuable = false;
        for (const event of frame.events) see(event);
        return frame;
      }
      // The continuation's bytes speak as another answer (its own id and block numbers): rendered, not forwarded.
      const events: StreamEvent[] = [];
      for (const event of frame.events) {
        const rewritten = rewrite(event, remap);
        if (!rewritten) continue;
        see(rewritten);
        events.push(rewritten);
      }
      return { events };
    },
    get continuable() {
      return continuable;
    },
    get text() {
      return text;
    },
    resumed() {
      remap = new Map();
    },
  };
}

const sameTarget = (a: Target, b: Target) => a.providerId === b.providerId && a.model === b.model;

/**
 * Asks for the rest of a cut answer through the one attempt path (policy, deadlines, health): the target that was
 * cut first (a cut is most often transient, and the target that wrote the prefix continues it best), then the
 * others in the request's order. Only targets able to continue an assistant prefill are asked; one that refuses is
 * remembered and skipped. Undefined when none could continue.
 */
export async function continueCut(
  context: StreamContext,
  cut: Target,
  prefill: string,
): Promise<OpenedStream | undefined> {
  const { deps, route, request, clientSignal } = context;
  const first = context.order.find((candidate) => sameTarget(candidate, cut)) ?? { ...cut, weight: 1 };
  const order = [first, ...context.order.filter((candidate) => !sameTarget(candidate, cut))];
  const won = await runAttempts(deps, { route, request, order, prefill }, newProgress(), clientSignal);
  if (won?.result.kind !== "stream") return undefined;
  deps.logger.info("continued a cut stream", { provider: won.target.providerId, model: won.target.model });
  return won.result.opened;
}
