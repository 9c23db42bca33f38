// Asks a running server's GET /v1/usage for `aisbf status`: today's lines, parsed (leniently) rather than trusted.
import { z } from "zod";

const lineSchema = z.object({
  key: z.string().nullish(),
  provider: z.string(),
  model: z.string(),
  requests: z.number(),
  input_tokens: z.number(),
  output_tokens: z.number(),
});
export type UsageEntry = z.infer<typeof lineSchema>;

const usageSchema = z.object({ data: z.array(lineSchema), note: z.string().nullish() });

/** Today's lines (UTC), with the server's note when they are its own only (Redis down), or why there are none. */
export async function fetchUsageToday(
  url: string,
  now: number,
  timeoutMs = 2000,
  apiKey: string | undefined = process.env.AISBF_API_KEY,
): Promise<{ ok: true; lines: UsageEntry[]; note?: string } | { ok: false; reason: string }> {
  try {
    const headers: Record<string, string> = apiKey ? { authorization: `Bearer ${apiKey}` } : {};
    const day = new Date(now).toISOString().slice(0, 10);
    const response = await fetch(`${url}/v1/usage?day=${day}`, {
      headers,
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (response.status === 401) return { ok: false, reason: "needs a client key (set AISBF_API_KEY)" };
    if (!response.ok) return { ok: false, reason: `GET /v1/usage answered ${response.status}` };
    const parsed = usageSchema.safeParse(await response.json());
    if (!parsed.success) return { ok: false, reason: "GET /v1/usage did not answer like aisbf" };
    const { data, note } = parsed.data;
    return note ? { ok: true, lines: data, note } : { ok: true, lines: data };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

const count = (n: number) => n.toLocaleString("en-US");

/** The top lines by tokens, one per key and target: "team-a  openai/gpt-4o  12 requests, 3,456 tokens (...)". */
export function describeUsage(lines: readonly UsageEntry[], top = 5): string[] {
  if (lines.length === 0) return ["  usage today: no requests yet"];
  const shown = [...lines]
    .sort((a, b) => b.input_tokens + b.output_tokens - (a.input_tokens + a.output_tokens))
    .slice(0, top);
  const names = shown.map((line) => line.key ?? "-");
  const targets = shown.map((line) => `${line.provider}/${line.model}`);
  const nameWidth = Math.max(...names.map((name) => name.length));
  const targetWidth = Math.max(...targets.map((target) => target.length));
  const header = `  usage today (UTC), top ${shown.length} of ${lines.length}:`;
  return [
    header,
    ...shown.map(
      (line, index) =>
        `    ${(names[index] as string).padEnd(nameWidth)}  ${(targets[index] as string).padEnd(targetWidth)}  ` +
        `${count(line.requests)} requests, ${count(line.input_tokens + line.output_tokens)} tokens ` +
        `(${count(line.input_tokens)} in, ${count(line.output_tokens)} out)`,
    ),
  ];
}
