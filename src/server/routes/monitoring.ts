// GET /metrics: the Prometheus exposition (observe/metrics.ts). With client keys on, any valid key may read it (a
// scraper gets a key of its own, with "allow": [] so that it can reach no provider).
import type { Hono } from "hono";
import type { AppEnv, ServingDeps } from "../deps.ts";
import type { Gate } from "../gate.ts";

export function addMonitoringRoutes(app: Hono<AppEnv>, deps: ServingDeps, gate: Gate): void {
  app.get(
    "/metrics",
    gate.keyed(async (_c, admission) => {
      admission.trace.quiet = true;
      const { text, contentType } = await deps.monitor.metrics.render();
      return new Response(text, { headers: { "content-type": contentType } });
    }),
  );
}
