// One attempt on one target: the adapter call under its deadline, then (for a stream) the wait for the commit point.
import type { ChatRequest } from "../api/chat.ts";
import { UpstreamTimeoutError } from "../api/errors.ts";
import type { ProviderConfig } from "../config/schema.ts";
import { linkedController } from "../providers/abort.ts";
import { cancelDeadline, DeadlineExceeded, scheduleDeadline } from "./deadline.ts";
import type { Target } from "./health.ts";
import type { Candidate } from "./select.ts";
import { commitStream } from "./stream-commit.ts";
import { deadlinesFor } from "./timeouts.ts";
import { ClientGone, type DispatchDeps, type Route, type Served } from "./types.ts";

export interface AttemptInput {
  deps: DispatchDeps;
  route: Route;
  request: ChatRequest;
  provider: ProviderConfig;
  target: Target;
  apiKey: string | undefined;
  clientSignal: AbortSignal;
  /** The candidates after this one, for continuing a stream cut after commit. */
  rest: Candidate[];
}

/** `attempts`: how many attempts the request has made with this one, for the answer's x-aisbf-attempts. */
export async function attemptOnce(input: AttemptInput, attempts: number): Promise<Served> {
  const { deps, route, request, provider, target, clientSignal } = input;
  const deadlines = deadlinesFor(provider, route.timeouts);
  const controller = linkedController(clientSignal);
  const signal = controller.signal;
  const streaming = request.stream === true;
  const limit = streaming ? deadlines.headersMs : deadlines.totalMs;
  const adapter = deps.adapters[provider.type];
  const what = streaming ? "response headers" : "the whole answer";
  // The deadline aborts the attempt's signal; adapters end the call at once when it aborts (ChatAttempt.signal), so
  // no promise of our own has to race the adapter's: one less promise, timer and closure pair per request.
  let expired = false;
  const deadline = scheduleDeadline(limit, () => {
    expired = true;
    controller.abort(new DeadlineExceeded(what));
  });
  try {
    const result = await adapter.chat({
      provider,
      model: target.model,
      request,
      apiKey: input.apiKey,
      signal,
    });
    cancelDeadline(deadline);
    if (result.kind === "completion") {
      return {
        target,
        warnings: result.warnings,
        kind: "completion",
        completion: result.completion,
        body: result.body,
        attempts,
      };
    }
    const committed = await commitStream({
      deps,
      route,
      request,
      target,
      chunks: result.chunks,
      controller,
      clientSignal,
      deadlines,
      continuations: route.continueOnCut ? input.rest : [],
    });
    return { target, warnings: result.warnings, kind: "stream", chunks: committed.chunks, attempts };
  } catch (thrown) {
    cancelDeadline(deadline);
    if (clientSignal.aborted) throw new ClientGone("client went away");
    controller.abort();
    if (expired) throw new UpstreamTimeoutError(provider.id, what, limit);
    if (thrown instanceof DeadlineExceeded) {
      const ms = thrown.what === "first content" ? deadlines.firstContentMs : limit;
      throw new UpstreamTimeoutError(provider.id, thrown.what, ms);
    }
    throw thrown;
  }
}
