// The stream commit point, and what happens after it: idle watchdog, clean finish, cut handling, continuation.
import { type ChatCompletionChunk, type ChatRequest, chunkFinishes, chunkHasContent } from "../api/chat.ts";
import { GatewayError, UpstreamError, UpstreamTimeoutError } from "../api/errors.ts";
import type { ProviderConfig } from "../config/schema.ts";
import type { StreamChunk } from "../providers/types.ts";
import { DeadlineExceeded, withDeadline } from "./deadline.ts";
import type { DispatchDeps, Route } from "./dispatch.ts";
import { asGatewayError, healthPolicyFor } from "./failures.ts";
import type { Target } from "./health.ts";
import type { Candidate } from "./select.ts";
import type { Deadlines } from "./timeouts.ts";
import { deadlinesFor } from "./timeouts.ts";

/** After a finish_reason, how long to wait for a trailing usage chunk and [DONE] before ending the stream ourselves. */
export const FINISH_GRACE_MS = 2_000;

export interface CommitInput {
  deps: DispatchDeps;
  route: Route;
  request: ChatRequest;
  target: Target;
  chunks: ReadableStream<StreamChunk>;
  controller: AbortController;
  deadlines: Deadlines;
  /** Targets that may continue a cut stream, in attempt order (empty when continuation is off). */
  continuations: Candidate[];
}

export interface Committed {
  chunks: ReadableStream<StreamChunk>;
}

interface Source {
  target: Target;
  reader: ReadableStreamDefaultReader<StreamChunk>;
  controller: AbortController;
  deadlines: Deadlines;
  queue: StreamChunk[];
  finished: boolean;
}

const noop = () => {};

/** Whether a provider is known to continue a final assistant message; by type unless configured. */
export function supportsPrefill(provider: ProviderConfig): boolean {
  return provider.supports_prefill ?? (provider.type === "anthropic" || provider.type === "ollama");
}

/**
 * Reads until the first content (or a finish) arrives, holding role and empty chunks back. This is the commit
 * point: until it returns, a failure is invisible to the client and the router may try another target.
 */
async function awaitFirstContent(
  reader: ReadableStreamDefaultReader<StreamChunk>,
  controller: AbortController,
  firstContentMs: number,
  providerId: string,
): Promise<{ queue: StreamChunk[]; finished: boolean }> {
  const queue: StreamChunk[] = [];
  const deadline = performance.now() + firstContentMs;
  for (;;) {
    const remaining = Math.max(1, deadline - performance.now());
    const { value, done } = await withDeadline(reader.read(), remaining, "first content", () => {
      controller.abort();
      reader.cancel().catch(noop);
    });
    if (done) {
      if (queue.some((item) => chunkFinishes(item.chunk))) return { queue, finished: true };
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
    if (chunkFinishes(value.chunk)) return { queue, finished: true };
    if (chunkHasContent(value.chunk)) return { queue, finished: false };
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

function committedStream(input: CommitInput, initial: Source): ReadableStream<StreamChunk> {
  const { deps } = input;
  let source = initial;
  let firstChunk: ChatCompletionChunk | undefined;
  let textSoFar = "";
  let continuable = (input.request.n ?? 1) === 1;
  let resumed = false;

  function track(item: StreamChunk): StreamChunk {
    const chunk = item.chunk;
    if (!firstChunk) firstChunk = chunk;
    if (chunkFinishes(chunk)) source.finished = true;
    for (const choice of chunk.choices) {
      if (choice.delta?.tool_calls?.length) continuable = false;
      if (typeof choice.delta?.content === "string") textSoFar += choice.delta.content;
    }
    if (!resumed || !firstChunk) return item;
    // A continuation speaks as the same answer: same id, no second role.
    const { role: _role, ...delta } = chunk.choices[0]?.delta ?? {};
    return {
      chunk: { ...chunk, id: firstChunk.id, choices: chunk.choices.map((choice) => ({ ...choice, delta })) },
    };
  }

  function succeed() {
    deps.health.recordSuccess(source.target);
  }

  async function pullOnce(controller: ReadableStreamDefaultController<StreamChunk>): Promise<void> {
    for (;;) {
      const queued = source.queue.shift();
      if (queued) {
        controller.enqueue(track(queued));
        return;
      }
      const current = source;
      const wait = current.finished ? FINISH_GRACE_MS : current.deadlines.idleMs;
      try {
        const { value, done } = await withDeadline(current.reader.read(), wait, "next chunk", () =>
          current.controller.abort(),
        );
        if (done) {
          succeed();
          controller.close();
          return;
        }
        controller.enqueue(track(value));
        return;
      } catch (thrown) {
        current.reader.cancel().catch(noop);
        if (current.finished) {
          // The answer was complete; only the trailer (usage, [DONE]) was late or broken.
          succeed();
          controller.close();
          return;
        }
        const error =
          thrown instanceof DeadlineExceeded
            ? new UpstreamTimeoutError(current.target.providerId, "the next chunk", current.deadlines.idleMs)
            : asGatewayError(thrown, current.target.providerId, deps.redact);
        recordCut(deps, current.target, error);
        const next = continuable ? await continueElsewhere(input, textSoFar) : undefined;
        if (!next) {
          controller.error(cutError(error));
          return;
        }
        resumed = true;
        source = next;
      }
    }
  }

  return new ReadableStream<StreamChunk>({
    pull: pullOnce,
    cancel(reason) {
      source.controller.abort();
      source.reader.cancel(reason).catch(noop);
    },
  });
}

function recordCut(deps: DispatchDeps, target: Target, error: GatewayError): void {
  const provider = deps.providers[target.providerId];
  if (!provider) return;
  deps.health.recordFailure(
    target,
    { kind: error.kind, status: error.status, message: error.message },
    healthPolicyFor(provider),
  );
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
    const provider = deps.providers[candidate.providerId];
    if (!provider || !supportsPrefill(provider)) continue;
    if (!deps.health.availability(candidate, healthPolicyFor(provider)).available) continue;
    const deadlines = deadlinesFor(provider, input.route.timeouts);
    const controller = new AbortController();
    try {
      const apiKey = deps.keyFor(provider);
      const result = await withDeadline(
        deps.adapters[provider.type].chat({
          provider,
          model: candidate.model,
          request: input.request,
          apiKey,
          signal: controller.signal,
          headersTimeoutMs: deadlines.headersMs,
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
