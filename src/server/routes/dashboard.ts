// GET /dashboard (one self-contained page, embedded in the binary) and GET /dashboard/data (what it shows). The page
// holds no data: with client keys on it asks for a key and sends it as a bearer on its data requests.
import { createHash } from "node:crypto";
import type { Hono } from "hono";
import type { ClientKey } from "../../config/client-keys.ts";
import { redactText } from "../../log/logger.ts";
import { targetHealth } from "../../observe/targets.ts";
import pageText from "../dashboard/page.html" with { type: "text" };
import { type AppEnv, configuredSecrets, type ServingDeps } from "../deps.ts";
import type { Gate } from "../gate.ts";
import { visibleTo } from "../visibility.ts";
import { seesAllUsage } from "./monitoring.ts";

// Imported as text (Bun and Deno inline it, so `bun build --compile` embeds it); bun-types types every .html import
// as an HTML bundle, which it is only without the text attribute.
const page = pageText as unknown as string;

/** The page's inline script and style allowed by hash, and nothing else: no other script, no frame, no form post. */
function contentSecurityPolicy(html: string): string {
  const hash = (tag: string) => {
    const match = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(html);
    return `'sha256-${createHash("sha256")
      .update(match?.[1] ?? "")
      .digest("base64")}'`;
  };
  return [
    "default-src 'none'",
    `script-src ${hash("script")}`,
    `style-src ${hash("style")}`,
    "connect-src 'self'",
    "img-src data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** Tokens and requests today per key, the caller's own only unless it may see all. */
async function usageToday(deps: ServingDeps, key: ClientKey | undefined) {
  const now = deps.clock();
  const day = new Date(now).toISOString().slice(0, 10);
  const { lines } = await deps.monitor.usage.report(
    { day, key: seesAllUsage(key) ? undefined : key?.name },
    now,
  );
  const perKey = new Map<string, { key: string | null; requests: number; tokens: number }>();
  for (const line of lines) {
    const entry = perKey.get(line.key) ?? { key: line.key === "" ? null : line.key, requests: 0, tokens: 0 };
    entry.requests += line.requests;
    entry.tokens += line.input + line.output;
    perKey.set(line.key, entry);
  }
  return [...perKey.values()].sort((a, b) => b.tokens - a.tokens);
}

export async function dashboardData(deps: ServingDeps, key: ClientKey | undefined) {
  const { monitor, config } = deps;
  const visible = visibleTo(config, key);
  const secrets = configuredSecrets(config);
  const shown = (provider: string, model: string) =>
    model === "" ? visible.provider(provider) : visible.target(`${provider}/${model}`);
  const now = deps.clock();
  return {
    version: deps.version,
    now: new Date(now).toISOString(),
    uptime_s: Math.floor((now - deps.startedAt) / 1000),
    totals: { requests: monitor.recent.requests, errors: monitor.recent.errors },
    in_flight: monitor.inFlight(),
    latency_ms: monitor.recent.latency(),
    targets: targetHealth(config, deps.health)
      .filter((target) => shown(target.provider, target.model))
      .map(({ provider, model, entry }) => ({
        provider,
        model,
        state: entry?.state ?? "healthy",
        consecutive_failures: entry?.consecutive_failures ?? 0,
        cooldown_until: entry?.cooldown_until ?? null,
        last_error: entry?.last_error
          ? {
              status: entry.last_error.status,
              message: redactText(entry.last_error.message, secrets).slice(0, 200),
            }
          : null,
      })),
    usage: await usageToday(deps, key),
    failovers: monitor.recent
      .lastFailovers()
      .filter((note) => visible.target(note.from) && visible.target(note.to))
      .map((note) => ({ ...note, at: new Date(note.at).toISOString() })),
  };
}

export function addDashboardRoutes(app: Hono<AppEnv>, deps: ServingDeps, gate: Gate): void {
  const headers = {
    "content-type": "text/html; charset=utf-8",
    "content-security-policy": contentSecurityPolicy(page),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
  };
  app.get(
    "/dashboard",
    gate.open((_c, _key, trace) => {
      trace.quiet = true;
      return new Response(page, { headers });
    }),
  );
  app.get(
    "/dashboard/data",
    gate.keyed(async (c, admission) => {
      admission.trace.quiet = true;
      return c.json(await dashboardData(deps, admission.key), 200, { "cache-control": "no-store" });
    }),
  );
}
