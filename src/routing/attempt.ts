// One attempt on one target: the adapter call under its deadline, then (for a stream) the wait for the commit point.
import type { ChatCompletion, ChatRequest } from "../api/chat.ts";
import type { ProviderConfig } from "../config/schema.ts";
import { linkedController } from "../providers/abort.ts";
import { framesOf } from "../providers/chunk-frames.ts";
import { awaitFirstContent, type OpenedStream } from "./commit-point.ts";
import { cancelDeadline, DeadlineExceeded, scheduleDeadline, timeoutError } from "./deadline.ts";
import type { Target } from "./health.ts";
import { deadlinesFor } from "./timeouts.ts";
import { ClientGone, type DispatchDeps, type Route } from "./types.ts";

export interface AttemptInput {
  deps: DispatchDeps;
  route: Route;
  request: ChatRequest;
  provider: ProviderConfig;
  target: Target;
  apiKey: string | undefined;
  clientSignal: AbortSignal;
  /** A continuation: the assistant text already delivered, which the target is asked to continue. */
  prefill?: string;
}

export type AttemptResult =
  | { kind: "completion"; completion: ChatCompletion; body?: string; warnings: string[] }
  | { kind: "stream"; opened: OpenedStream; warnings: string[] };

/**
 * Calls the adapter, and for a stream waits for the commit point. Rejects with the adapter's GatewayError, an
 * UpstreamTimeoutError for a deadline, or ClientGone once the client has left.
 */
export async function attemptOnce(input: AttemptInput): Promise<AttemptResult> {
  const { deps, route, request, provider, target, clientSignal } = input;
  const deadlines = deadlinesFor(provider, route.timeouts);
  const controller = linkedController(clientSignal);
  const streaming = request.stream === true;
  const limit = streaming
    ? new DeadlineExceeded("headers", deadlines.headersMs)
    : new DeadlineExceeded("answer", deadlines.totalMs);
  // The deadline aborts the attempt's signal; adapters end the call at once when it aborts (ChatAttempt.signal), so
  // no promise of our own races the adapter's.
  let expired = false;
  const deadline = scheduleDeadline(limit.ms, () => {
    expired = true;
    controller.abort(limit);
  });
  try {
    const result = await deps.adapters[provider.type].chat({
      provider,
      model: target.model,
      request,
      apiKey: input.apiKey,
      signal: controller.signal,
      prefill: input.prefill,
    });
    cancelDeadline(deadline);
    if (result.kind === "completion") return result;
    const opened = await awaitFirstContent({
      target,
      reader: framesOf(result.chunks).getReader(),
      controller,
      deadlines,
    });
    return { kind: "stream", opened, warnings: result.warnings };
  } catch (thrown) {
    cancelDeadline(deadline);
    if (clientSignal.aborted) throw new ClientGone("client went away");
    controller.abort();
    if (expired) throw timeoutError(provider.id, limit);
    if (thrown instanceof DeadlineExceeded) throw timeoutError(provider.id, thrown);
    throw thrown;
  }
}
