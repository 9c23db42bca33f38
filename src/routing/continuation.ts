// Continuing a cut stream: what the client has been given so far, and the run that asks a target to go on from it.
import type { ChatCompletionChunk, ChatRequest } from "../api/chat.ts";
import type { StreamChunk } from "../providers/types.ts";
import type { OpenedStream } from "./commit-point.ts";
import type { Target } from "./health.ts";
import { newProgress, runAttempts } from "./run-attempts.ts";
import type { Candidate } from "./select.ts";
import type { DispatchDeps, Route } from "./types.ts";

/** What a committed stream needs to continue: the request, its route and the order its targets were tried in. */
export interface StreamContext {
  deps: DispatchDeps;
  route: Route;
  request: ChatRequest;
  order: readonly Candidate[];
  /** The client's own signal: once it aborts, nothing is continued, retried or held against a target. */
  clientSignal: AbortSignal;
}

/**
 * The answer as delivered: its text (kept only while a cut could be continued) and, once a continuation feeds
 * it, the rewrite that makes the continuation's chunks speak as the same answer.
 */
export interface Transcript {
  /** The chunk as the client gets it. */
  deliver(item: StreamChunk): StreamChunk;
  /** Whether a cut could be continued now: on, one choice, no tool call delivered yet. */
  readonly continuable: boolean;
  readonly text: string;
  /** A continuation feeds the answer from now on. */
  resumed(): void;
}

export function createTranscript(context: StreamContext): Transcript {
  let continuable = context.route.continueOnCut && (context.request.n ?? 1) === 1;
  let text = "";
  let firstId: string | undefined;
  let resumed = false;
  return {
    deliver(item) {
      const chunk = item.chunk;
      firstId ??= chunk.id;
      if (continuable) {
        for (const choice of chunk.choices) {
          // A tool call's arguments cannot be continued as text.
          if (choice.delta?.tool_calls?.length) continuable = false;
          if (typeof choice.delta?.content === "string") text += choice.delta.content;
        }
      }
      return resumed ? asContinuation(chunk, firstId) : item;
    },
    get continuable() {
      return continuable;
    },
    get text() {
      return text;
    },
    resumed() {
      resumed = true;
    },
  };
}

/** A continuation's chunk as part of the first answer: the first answer's id, no second role. */
function asContinuation(chunk: ChatCompletionChunk, id: string): StreamChunk {
  return {
    chunk: {
      ...chunk,
      id,
      choices: chunk.choices.map((choice) => {
        const { role: _role, ...delta } = choice.delta ?? {};
        return { ...choice, delta };
      }),
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
