// The stream commit point, and what happens after it: idle watchdog, clean finish, cut handling, continuation.
import {
  type ChatCompletionChunk,
  type ChatRequest,
  chunkHasContent,
  createFinishTracker,
} from "../api/chat.ts";
import { GatewayError, streamCutError, UpstreamError, UpstreamTimeoutError } from "../api/errors.ts";
import type { ProviderConfig } from "../config/schema.ts";
import type { PullReader } from "../providers/sse.ts";
import type { ChunkStream, StreamChunk } from "../providers/types.ts";
import { linkedController } from "../providers/abort.ts";
import {
  cancelDeadline,
  createWatchdog,
  DeadlineExceeded,
  scheduleDeadline,
  withDeadline,
} from "./deadline.ts";
import { asGatewayError, healthPolicyFor, healthReport } from "./failures.ts";
import type { Target } from "./health.ts";
import type { Candidate } from "./select.ts";
import { type Deadlines, deadlinesFor } from "./timeouts.ts";
import type { DispatchDeps, Route } from "./types.ts";

/** After the answer is complete, how long to wait for a trailing usage chunk and [DONE] before ending it ourselves. */
export const FINISH_GRACE_MS = 2_000;

export interface CommitInput {
  deps: DispatchDeps;
  route: Route;
  request: ChatRequest;
  target: Target;
  chunks: ChunkStream;
  controller: AbortController;
  /** The client's own signal: once it aborts, nothing is continued, retried or held against a target. */
  clientSignal: AbortSignal;
  deadlines: Deadlines;
  /** Targets that may continue a cut stream, in attempt order (empty when continuation is off). */
  continuations: Candidate[];
}

export interface Committed {
  chunks: ChunkSource;
}

/**
 * A committed answer, pulled one chunk at a time by whoever renders it for the client (the server's SSE writer). A
 * plain pull instead of a ReadableStream of its own: one stream hop less for every chunk of every stream.
 */
export interface ChunkSource {
  /** The next chunk; undefined once the answer is complete or the client left. Rejects with a cut's error. */
  next(): Promise<StreamChunk | undefined>;
  /** The client left: stop reading and release the upstream. */
  cancel(reason?: unknown): void;
}

/** One upstream stream feeding the client: the first target's, or a continuation's after a cut. */
interface Source {
  target: Target;
  reader: PullReader<StreamChunk>;
  controller: AbortController;
  deadlines: Deadlines;
  /** Chunks read before the commit point, not yet given to the client. */
  queue: StreamChunk[];
  tracker: ReturnType<typeof createFinishTracker>;
}

const noop = () => {};

/**
 * Reads the next chunk. A read that fails with something other than a GatewayError is the socket under the
 * stream breaking (a reset mid-body): the upstream cut the stream, a transient failure, not a gateway fault.
 */
async function readUpstream(
  reader: PullReader<StreamChunk>,
  providerId: string,
): Promise<Awaited<ReturnType<PullReader<StreamChunk>["read"]>>> {
  try {
    return await reader.read();
  } catch (thrown) {
    if (thrown instanceof GatewayError || thrown instanceof DeadlineExceeded) throw thrown;
    throw streamCutError(providerId, thrown);
  }
}

/** Whether a provider is known to continue a final assistant message; by type unless configured. */
export function supportsPrefill(provider: ProviderConfig): boolean {
  return provider.supports_prefill ?? (provider.type === "anthropic" || provider.type === "ollama");
}

/**
 * Reads until the first content (or a complete answer) arrives, holding role and empty chunks back. This is the
 * commit point: until it returns, a failure is invisible to the client and the router may try another target.
 */
async function awaitFirstContent(
  reader: PullReader<StreamChunk>,
  controller: AbortController,
  firstContentMs: number,
  providerId: string,
): Promise<{ queue: StreamChunk[]; tracker: ReturnType<typeof createFinishTracker> }> {
  const queue: StreamChunk[] = [];
  const tracker = createFinishTracker();
  // One deadline for the whole wait, however many role-only or empty chunks come first: it ends the pending read
  // (abort, cancel) and the loop then reports the expiry.
  let expired = false;
  const deadline = scheduleDeadline(firstContentMs, () => {
    expired = true;
    controller.abort();
    reader.cancel().catch(noop);
  });
  try {
    for (;;) {
      const { value, done } = await readUpstream(reader, providerId);
      if (expired) throw new DeadlineExceeded("first content");
      if (done) {
        if (tracker.complete) return { queue, tracker };
        throw new UpstreamError(
          providerId,
          `Provider '${providerId}' ended the stream before sending any content`,
          {
            status: 502,
            type: "api_error",
            code: "stream_cut",
            kind: "transient",
          },
        );
      }
      queue.push(value);
      tracker.see(value.chunk);
      if (tracker.complete || chunkHasContent(value.chunk)) return { queue, tracker };
    }
  } catch (thrown) {
    throw expired ? new DeadlineExceeded("first content") : thrown;
  } finally {
    cancelDeadline(deadline);
  }
}

export async function commitStream(input: CommitInput): Promise<Committed> {
  const reader = input.chunks.getReader();
  const first = await awaitFirstContent(
    reader,
    input.controller,
    input.deadlines.firstContentMs,
    input.target.providerId,
  );
  const source: Source = {
    target: input.target,
    reader,
    controller: input.controller,
    deadlines: input.deadlines,
    ...first,
  };
  return { chunks: committedStream(input, source) };
}

/** Rewrites a continuation's chunks to speak as the same answer: the first answer's id, no second role. */
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

function committedStream(input: CommitInput, initial: Source): ChunkSource {
  const { deps, clientSignal } = input;
  let source = initial;
  let firstId: string | undefined;
  let textSoFar = "";
  // The text is kept only when a cut could be continued elsewhere; otherwise nothing needs it.
  let continuable = input.continuations.length > 0 && (input.request.n ?? 1) === 1;
  let resumed = false;
  let cancelled = false;
  // Ended: by the upstream's end, a cut that could not be continued, or the client leaving.
  let finished = false;
  // Ends the pending read of whichever source is current: the read then returns and sees the expiry.
  const watchdog = createWatchdog(() => {
    source.controller.abort();
    source.reader.cancel().catch(noop);
  });

  function deliver(item: StreamChunk): StreamChunk {
    const chunk = item.chunk;
    firstId ??= chunk.id;
    if (continuable) {
      for (const choice of chunk.choices) {
        if (choice.delta?.tool_calls?.length) continuable = false;
        if (typeof choice.delta?.content === "string") textSoFar += choice.delta.content;
      }
    }
    return resumed ? asContinuation(chunk, firstId) : item;
  }

  /** The next chunk for the client; undefined once the answer is over (or the client left); throws a cut. */
  async function pullOnce(): Promise<StreamChunk | undefined> {
    if (finished) return undefined;
    for (;;) {
      const queued = source.queue.shift();
      if (queued) return deliver(queued);
      const current = source;
      const wait = current.tracker.complete ? FINISH_GRACE_MS : current.deadlines.idleMs;
      watchdog.start(wait);
      try {
        const { value, done } = await readUpstream(current.reader, current.target.providerId);
        if (watchdog.end()) throw new DeadlineExceeded("next chunk");
        if (cancelled) return undefined;
        if (done) {
          watchdog.stop();
          deps.health.recordSuccess(current.target);
          finished = true;
          return undefined;
        }
        current.tracker.see(value.chunk);
        return deliver(value);
      } catch (failure) {
        const thrown = watchdog.end() ? new DeadlineExceeded("next chunk") : failure;
        watchdog.stop();
        current.reader.cancel().catch(noop);
        // The client left: nobody reads this answer, and the upstream is not to blame.
        if (cancelled || clientSignal.aborted) return undefined;
        if (current.tracker.complete) {
          // The answer was complete; only the trailer (usage, [DONE]) was late or broken.
          deps.health.recordSuccess(current.target);
          finished = true;
          return undefined;
        }
        const error =
          thrown instanceof DeadlineExceeded
            ? new UpstreamTimeoutError(current.target.providerId, "the next chunk", current.deadlines.idleMs)
            : asGatewayError(thrown, current.target.providerId, deps.redact);
        recordCut(input, current.target, error);
        const next = continuable ? await continueElsewhere(input, textSoFar) : undefined;
        if (cancelled || clientSignal.aborted) {
          next?.controller.abort();
          next?.reader.cancel().catch(noop);
          return undefined;
        }
        if (!next) {
          finished = true;
          throw cutError(error);
        }
        resumed = true;
        source = next;
      }
    }
  }

  return {
    next: pullOnce,
    cancel(reason) {
      cancelled = true;
      finished = true;
      watchdog.stop();
      source.controller.abort();
      source.reader.cancel(reason).catch(noop);
    },
  };
}

function recordCut(input: CommitInput, target: Target, error: GatewayError): void {
  const { deps } = input;
  const provider = deps.providers[target.providerId];
  if (!provider) return;
  const report = healthReport(error, provider, target.model, input.route, deps.clock());
  if (report) deps.health.recordFailure(target, report, healthPolicyFor(provider));
  deps.logger.warn("stream broke after commit", {
    provider: target.providerId,
    model: target.model,
    reason: error.message,
  });
}

/** The error a client sees in-band when a committed stream cannot be completed. */
function cutError(cause: GatewayError): GatewayError {
  return new GatewayError(`The stream was interrupted before the answer was complete: ${cause.message}`, {
    status: cause.status,
    type: cause.type,
    code: cause.code ?? "stream_interrupted",
    kind: cause.kind,
  });
}

/** Asks the next capable target to continue the text already sent; a target that refuses is not final. */
async function continueElsewhere(input: CommitInput, prefill: string): Promise<Source | undefined> {
  const { deps } = input;
  for (const candidate of input.continuations) {
    if (input.clientSignal.aborted) return undefined;
    const provider = deps.providers[candidate.providerId];
    if (!provider || !supportsPrefill(provider)) continue;
    if (!deps.health.availability(candidate, healthPolicyFor(provider)).available) continue;
    const deadlines = deadlinesFor(provider, input.route.timeouts);
    const controller = linkedController(input.clientSignal);
    const signal = controller.signal;
    try {
      const apiKey = deps.keyFor(provider);
      const result = await withDeadline(
        deps.adapters[provider.type].chat({
          provider,
          model: candidate.model,
          request: input.request,
          apiKey,
          signal,
          prefill,
        }),
        deadlines.headersMs,
        "response headers",
        () => controller.abort(),
      );
      if (result.kind !== "stream") continue;
      const reader = result.chunks.getReader();
      const first = await awaitFirstContent(reader, controller, deadlines.firstContentMs, provider.id);
      deps.logger.info("continued a cut stream", { provider: provider.id, model: candidate.model });
      return { target: candidate, reader, controller, deadlines, ...first };
    } catch (thrown) {
      controller.abort();
      deps.logger.warn("continuation attempt failed", {
        provider: provider.id,
        model: candidate.model,
        reason: asGatewayError(thrown, provider.id, deps.redact).message,
      });
    }
  }
  return undefined;
}
