// One attempt on one target: the adapter call under its deadline, then (for a stream) the wait for the commit point.

import type { RawBody } from "../canonical/dialect.ts";
import type { CanonicalResponse, CanonicalUsage } from "../canonical/response.ts";
import type { ProviderConfig } from "../config/schema.ts";
import { linkedController } from "../providers/abort.ts";
import type { KeySource } from "../providers/types.ts";
import { awaitFirstContent, type OpenedStream } from "./commit-point.ts";
import { cancelDeadline, DeadlineExceeded, scheduleDeadline, timeoutError } from "./deadline.ts";
import type { Target } from "./health.ts";
import { deadlinesFor } from "./timeouts.ts";
import { ClientGone, type ClientRequest, type DispatchDeps, type Route } from "./types.ts";

export interface AttemptInput {
  deps: DispatchDeps;
  route: Route;
  request: ClientRequest;
  provider: ProviderConfig;
  target: Target;
  apiKey: string | undefined;
  keySource: KeySource;
  clientSignal: AbortSignal;
  /** A continuation: the assistant text already delivered, which the target is asked to continue. */
  prefill?: string;
}

export type AttemptResult =
  | {
      kind: "completion";
      response: () => CanonicalResponse;
      raw?: RawBody;
      usage?: () => CanonicalUsage | undefined;
      warnings: string[];
    }
  | { kind: "stream"; opened: OpenedStream; warnings: string[] };

/**
 * Calls the adapter, and for a stream waits for the commit point. Rejects with the adapter's GatewayError, an
 * UpstreamTimeoutError for a deadline, or ClientGone once the client has left.
 */
export async function attemptOnce(input: AttemptInput): Promise<AttemptResult> {
  const { deps, route, request, provider, target, clientSignal } = input;
  const deadlines = deadlinesFor(provider, route.timeouts);
  const controller = linkedController(clientSignal);
  const streaming = request.canonical.stream;
  const kind = streaming ? "headers" : "answer";
  const limitMs = streaming ? deadlines.headersMs : deadlines.totalMs;
  // The deadline aborts the attempt's signal; adapters end the call at once when it aborts (ChatAttempt.signal), so
  // no promise of our own races the adapter's. The error is built only if it fires: an Error captures a stack,
  // which per attempt measured ~2.6% of the gateway's CPU under load.
  let expired: DeadlineExceeded | undefined;
  const deadline = scheduleDeadline(limitMs, () => {
    expired = new DeadlineExceeded(kind, limitMs);
    controller.abort(expired);
  });
  try {
    const result = await deps.adapters[provider.type].chat({
      provider,
      model: target.model,
      canonical: request.canonical,
      original: request.original,
      headers: request.headers,
      apiKey: input.apiKey,
      keySource: input.keySource,
      signal: controller.signal,
      prefill: input.prefill,
    });
    cancelDeadline(deadline);
    if (result.kind === "answer") {
      const { response, raw, usage, warnings } = result;
      return raw
        ? { kind: "completion", response, raw, usage, warnings }
        : { kind: "completion", response, warnings };
    }
    const opened = await awaitFirstContent({
      target,
      keySource: input.keySource,
      reader: result.frames.getReader(),
      controller,
      deadlines,
    });
    return { kind: "stream", opened, warnings: result.warnings };
  } catch (thrown) {
    cancelDeadline(deadline);
    if (clientSignal.aborted) throw new ClientGone("client went away");
    controller.abort();
    if (expired) throw timeoutError(provider.id, expired);
    if (thrown instanceof DeadlineExceeded) throw timeoutError(provider.id, thrown);
    throw thrown;
  }
}
