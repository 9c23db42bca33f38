// What a client key may do: its allow-lists (403), its request rate and its daily tokens (429 with Retry-After).
import { GatewayError } from "../api/errors.ts";
import type { ClientKey } from "../config/client-keys.ts";
import { utcDay } from "../observe/usage.ts";
import type { Route } from "../routing/dispatch.ts";
import { type Admission, tooManyConcurrent } from "./admission.ts";
import type { Budgets, KeyVerdict, RateLimiter } from "./rate-limit.ts";

export function forbidden(what: string): GatewayError {
  return new GatewayError(`This API key is not allowed to use ${what}`, {
    status: 403,
    type: "permission_error",
    code: "forbidden",
  });
}

/** `id` is a provider or rotation id the request reaches (a path segment or a model prefix). */
export function checkAllowed(key: ClientKey | undefined, id: string): void {
  if (key?.allow && !key.allow.includes(id)) throw forbidden(`'${id}'`);
}

/**
 * The key's allow-lists (403), then its budget, rate and fleet-wide concurrency (429): in one step of the limiter,
 * which is a promise when the limits are shared (one round trip). A slot it takes is given back with the admission.
 */
export function authorizeRoute(
  admission: Admission,
  route: Route,
  limiter: RateLimiter,
  budgets: Budgets,
): void | Promise<void> {
  const { key } = admission;
  if (!key) return;
  checkAllowed(key, route.name);
  if (key.models) {
    const target = route.candidates[0];
    const name = route.isRotation || !target ? route.name : `${target.providerId}/${target.model}`;
    if (!key.models.includes(name)) throw forbidden(`the model '${name}'`);
  }
  const concurrent = admission.wantsSharedSlot ? admission.sharedConcurrency : undefined;
  if (key.tokensPerDay === undefined && key.requestsPerMinute === undefined && concurrent === undefined)
    return;
  const verdict = limiter.check(
    key.name,
    { perMinute: key.requestsPerMinute, tokensPerDay: key.tokensPerDay, concurrent },
    budgets,
  );
  if (verdict instanceof Promise) return verdict.then((settled) => enforce(admission, key, settled, budgets));
  enforce(admission, key, verdict, budgets);
}

function enforce(admission: Admission, key: ClientKey, verdict: KeyVerdict, budgets: Budgets): void {
  if (verdict.kind === "allowed") {
    if (verdict.release) admission.holdShared(verdict.release);
    return;
  }
  if (verdict.kind === "over_budget") throw overBudget(key.tokensPerDay ?? 0, verdict.used, budgets.clock());
  if (verdict.kind === "too_many_concurrent")
    throw tooManyConcurrent("this key across the gateways", verdict.limit);
  const seconds = Math.max(1, Math.ceil(verdict.retryAfterMs / 1000));
  throw new GatewayError(`This API key is over its limit of ${key.requestsPerMinute} requests per minute`, {
    status: 429,
    type: "rate_limit_error",
    code: "rate_limit_exceeded",
    headers: { "retry-after": String(seconds) },
  });
}

/**
 * A key past its tokens for today is refused until midnight UTC. Checked before a request, against what answered
 * requests used: the request that crosses the budget is served in full, the next is refused.
 */
function overBudget(tokensPerDay: number, used: number, now: number): GatewayError {
  const resets = utcDay(now).endsAt;
  return new GatewayError(
    `This API key has used its budget of ${tokensPerDay} tokens per day (tokens_per_day; ${used} used today); ` +
      `it resets at ${new Date(resets).toISOString()}`,
    {
      status: 429,
      type: "rate_limit_error",
      code: "token_budget_exceeded",
      headers: { "retry-after": String(Math.max(1, Math.ceil((resets - now) / 1000))) },
    },
  );
}
