// GET /metrics (the Prometheus exposition, observe/metrics.ts) and GET /v1/usage (usage accounting, observe/usage.ts).
// With client keys on, any valid key may read /metrics (a scraper gets a key of its own, with "allow": [] so that it
// reaches no provider); /v1/usage shows a key its own usage, and an admin key everyone's.
import type { Hono } from "hono";
import { InvalidRequestError } from "../../api/errors.ts";
import type { ClientKey } from "../../config/client-keys.ts";
import { type UsageLine, type UsageReport, utcDay } from "../../observe/usage.ts";
import type { AppEnv, ServingDeps } from "../deps.ts";
import type { Gate } from "../gate.ts";

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A usage line as GET /v1/usage sends it. */
function usageLine(line: UsageLine) {
  return {
    day: line.day,
    key: line.key === "" ? null : line.key,
    provider: line.provider,
    model: line.model,
    requests: line.requests,
    input_tokens: line.input,
    output_tokens: line.output,
    cached_tokens: line.cached,
    reasoning_tokens: line.reasoning,
    total_tokens: line.input + line.output,
  };
}

/** Every key's usage for an admin key (and with keys off), else only the caller's own. */
export function seesAllUsage(key: ClientKey | undefined): boolean {
  return key === undefined || key.admin === true;
}

/** The tokens_per_day budgets the caller may see: used today, and when they reset. */
function budgetsOf(keys: readonly ClientKey[], usage: UsageReport, now: number) {
  const resets = new Date(utcDay(now).endsAt).toISOString();
  return keys.flatMap((key) =>
    key.tokensPerDay === undefined
      ? []
      : [
          {
            key: key.name,
            tokens_per_day: key.tokensPerDay,
            used_today: usage.usedToday(key.name),
            resets_at: resets,
          },
        ],
  );
}

export function addMonitoringRoutes(app: Hono<AppEnv>, deps: ServingDeps, gate: Gate): void {
  const { usage } = deps.monitor;
  app.get(
    "/metrics",
    gate.keyed(async (_c, admission) => {
      admission.trace.quiet = true;
      const { text, contentType } = await deps.monitor.metrics.render();
      return new Response(text, { headers: { "content-type": contentType } });
    }),
  );

  app.get(
    "/v1/usage",
    gate.keyed(async (c, { key }) => {
      const day = c.req.query("day");
      if (day !== undefined && !DAY.test(day)) {
        throw new InvalidRequestError("day must be a UTC date, YYYY-MM-DD", {
          param: "day",
          code: "invalid_value",
        });
      }
      const all = seesAllUsage(key);
      const now = deps.clock();
      const report = await usage.report({ key: all ? undefined : key?.name, day }, now);
      const keys = all ? deps.config.clientKeys : key ? [key] : [];
      return c.json({
        object: "usage",
        scope: all ? "all" : "key",
        key: key?.name ?? null,
        // Every instance's requests (state.redis), or this one's.
        shared: report.shared,
        ...(report.note ? { note: report.note } : {}),
        data: report.lines.map(usageLine),
        budgets: budgetsOf(keys, report, now),
      });
    }),
  );
}
