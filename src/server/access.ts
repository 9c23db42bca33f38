// What a client key may do: its allow-lists (403), its request rate and its daily tokens (429 with Retry-After).
import { GatewayError } from "../api/errors.ts";
import type { ClientKey } from "../config/client-keys.ts";
import type { Route } from "../routing/dispatch.ts";
import type { RateLimiter } from "./rate-limit.ts";
import { type UsageStore, utcDay } from "../observe/usage.ts";

/** Where a key's tokens today are read (tokens_per_day). */
export interface Budgets {
  usage: UsageStore;
  clock: () => number;
}

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

export function authorizeRoute(
  key: ClientKey | undefined,
  route: Route,
  limiter: RateLimiter,
  budgets: Budgets,
): void {
  if (!key) return;
  checkAllowed(key, route.name);
  if (key.models) {
    const target = route.candidates[0];
    const name = route.isRotation || !target ? route.name : `${target.providerId}/${target.model}`;
    if (!key.models.includes(name)) throw forbidden(`the model '${name}'`);
  }
  if (key.tokensPerDay !== undefined) checkBudget(key, key.tokensPerDay, budgets);
  if (key.requestsPerMinute !== undefined) {
    const taken = limiter.take(key.name, key.requestsPerMinute);
    if (!taken.allowed) {
      const seconds = Math.max(1, Math.ceil(taken.retryAfterMs / 1000));
      throw new GatewayError(
        `This API key is over its limit of ${key.requestsPerMinute} requests per minute`,
        {
          status: 429,
          type: "rate_limit_error",
          code: "rate_limit_exceeded",
          headers: { "retry-after": String(seconds) },
        },
      );
    }
  }
}

/**
 * A key past its tokens for today is refused until midnight UTC. Checked before a request, against what answered
 * requests used: the request that crosses the budget is served in full, the next is refused.
 */
function checkBudget(key: ClientKey, tokensPerDay: number, budgets: Budgets): void {
  const now = budgets.clock();
  const used = budgets.usage.tokensOn(key.name, now);
  if (used < tokensPerDay) return;
  const resets = utcDay(now).endsAt;
  throw new GatewayError(
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
