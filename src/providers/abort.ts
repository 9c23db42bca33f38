// An AbortController that also aborts when a parent signal does: AbortSignal.any's effect for less.

/**
 * AbortSignal.any builds a dependent signal the runtime must track weakly; a listener on the parent is about half
 * the cost, and routing makes one per attempt (the attempt's signal under the client's). The listener lives as
 * long as the parent, which lives as long as the request.
 */
const ONCE: AddEventListenerOptions = { once: true };

export function linkedController(parent: AbortSignal): AbortController {
  const controller = new AbortController();
  if (parent.aborted) controller.abort(parent.reason);
  else parent.addEventListener("abort", () => controller.abort(parent.reason), ONCE);
  return controller;
}
