// Asks a running server's GET /health, parsed (leniently, only what the CLI reads) rather than trusted.
import { z } from "zod";

const entrySchema = z.object({
  state: z.string(),
  consecutive_failures: z.number().nullish(),
  cooldown_until: z.string().nullish(),
  disabled_reason: z.string().nullish(),
  last_error: z.object({ status: z.number(), message: z.string(), at: z.string() }).nullish(),
});
export type HealthEntry = z.infer<typeof entrySchema>;

const healthSchema = z.object({
  status: z.string(),
  version: z.string(),
  pid: z.number(),
  started_at: z.string(),
  uptime_s: z.number(),
  // Absent when the gateway has client keys and the caller sent none (AISBF_API_KEY): liveness only.
  config_dir: z.string().nullish(),
  providers: z.record(z.string(), entrySchema).nullish(),
  config: z
    .object({
      loaded_at: z.string(),
      last_error: z.object({ message: z.string(), at: z.string() }).nullish(),
    })
    .nullish(),
  state: z
    .object({
      backend: z.string(),
      mode: z.string().nullish(),
      prefix: z.string().nullish(),
      since: z.string().nullish(),
      last_error: z.string().nullish(),
    })
    .nullish(),
});
export type HealthReport = z.infer<typeof healthSchema>;

/** The report, or why there is none (refused, timed out, not our JSON...). */
export async function fetchHealth(
  url: string,
  timeoutMs = 2000,
  apiKey: string | undefined = process.env.AISBF_API_KEY,
): Promise<{ ok: true; report: HealthReport } | { ok: false; reason: string }> {
  try {
    const headers: Record<string, string> = apiKey ? { authorization: `Bearer ${apiKey}` } : {};
    const response = await fetch(`${url}/health`, { headers, signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return { ok: false, reason: `GET /health answered ${response.status}` };
    const parsed = healthSchema.safeParse(await response.json());
    if (!parsed.success) return { ok: false, reason: "GET /health did not answer like aisbf" };
    return { ok: true, report: parsed.data };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

/** "healthy", "cooling down until 12:00:00Z (last error 429: ...)" and so on, one line. */
export function describeHealth(entry: HealthEntry): string {
  const parts: string[] = [entry.state.replace(/_/g, " ")];
  if (entry.cooldown_until) parts[0] = `${parts[0]} until ${entry.cooldown_until}`;
  if (entry.disabled_reason) parts.push(`(${entry.disabled_reason})`);
  if (entry.consecutive_failures) parts.push(`${entry.consecutive_failures} consecutive failures`);
  if (entry.last_error) {
    const message = entry.last_error.message.replace(/\s+/g, " ").slice(0, 160);
    parts.push(`last error ${entry.last_error.status} at ${entry.last_error.at}: ${message}`);
  }
  return parts.join(", ");
}

export function formatUptime(seconds: number): string {
  const days = Math.floor(seconds / 86400);
  const hours = Math.floor((seconds % 86400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  const parts = [
    days && `${days}d`,
    (days || hours) && `${hours}h`,
    (days || hours || minutes) && `${minutes}m`,
  ];
  return [...parts.filter(Boolean), `${rest}s`].join(" ");
}

/** "redis (shared, prefix aisbf, since ...)" or "memory": where health and rate budgets live. */
export function describeState(state: NonNullable<HealthReport["state"]>): string {
  if (state.backend !== "redis") return state.backend;
  const mode =
    state.mode === "shared"
      ? "shared"
      : `unavailable, this instance on its own state${state.last_error ? ` (${state.last_error})` : ""}`;
  return `redis (${mode}; prefix ${state.prefix ?? "?"}; since ${state.since ?? "?"})`;
}
