// Strict zod schemas for providers.json, rotations.json and aisbf.json: a typo is an error naming file and field.
import { z } from "zod";

/** Ids become URL path segments and the "<provider>/<model>" prefix, so no slashes or dots-only names. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const id = z
  .string()
  .regex(ID_PATTERN, "must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit");

const modelName = z
  .string()
  .min(1)
  .max(256)
  .refine((name) => !/[\s\u0000-\u001f]/.test(name), "must not contain spaces or control characters");

const httpUrl = z
  .string()
  .url()
  .refine((value) => /^https?:\/\//.test(value), "must be an http:// or https:// URL");

export const modelSchema = z.strictObject({
  name: modelName,
  context_window: z.number().int().positive().optional(),
  /** Default output budget when a request gives none (Anthropic requires one). */
  max_tokens: z.number().int().positive().optional(),
});

/** Watchdogs, in milliseconds; defaults in routing/timeouts.ts. */
/** Timers cannot wait longer than 2^31-1 ms (about 24.8 days). */
const timeoutMs = z
  .number()
  .int()
  .positive()
  .max(2_147_483_647, "must be at most 2147483647 ms (about 24.8 days)");

export const timeoutsSchema = z.strictObject({
  headers_ms: timeoutMs.optional(),
  first_content_ms: timeoutMs.optional(),
  idle_ms: timeoutMs.optional(),
  total_ms: timeoutMs.optional(),
});

const providerBase = {
  id,
  name: z.string().min(1),
  endpoint: httpUrl,
  api_key_required: z.boolean(),
  /** A literal key or "${ENV_VAR}" filled from the environment at load time. */
  api_key: z.string().optional(),
  models: z.array(modelSchema).optional(),
  /** Total time for a non-streaming request; kept from the seed, same as timeouts.total_ms. */
  timeout_ms: timeoutMs.optional(),
  timeouts: timeoutsSchema.optional(),
  /** Extra headers sent upstream (OpenRouter's HTTP-Referer, a proxy's tenant header...); values may use ${ENV}. */
  headers: z.record(z.string().regex(/^[A-Za-z0-9-]+$/, "must be a header name"), z.string()).optional(),
  /** Consecutive failed requests that take a target out, and for how long. */
  failure_threshold: z.number().int().positive().optional(),
  cooldown_seconds: z.number().positive().optional(),
  /** While out for transient failures, how often one live request may try the target (default 10 s). */
  probe_interval_seconds: z.number().positive().optional(),
  /** Whether the upstream continues a final assistant message (used to resume cut streams). */
  supports_prefill: z.boolean().optional(),
  /**
   * Whether the upstream reads PDF documents (by default what its type's adapter declares; an OpenAI-compatible
   * server without Chat Completions' file parts says false here, and routing then skips it for a request with one).
   */
  supports_documents: z.boolean().optional(),
};

export const providerSchema = z.discriminatedUnion("type", [
  z.strictObject({
    ...providerBase,
    type: z.literal("openai"),
    /** Serves the Responses API at {endpoint}/responses; default: true on api.openai.com, false elsewhere. */
    responses_api: z.boolean().optional(),
  }),
  z.strictObject({ ...providerBase, type: z.literal("anthropic") }),
  z.strictObject({ ...providerBase, type: z.literal("google") }),
  z.strictObject({ ...providerBase, type: z.literal("ollama") }),
]);

export const providersFileSchema = z.strictObject({
  providers: z.record(id, providerSchema),
});

export const rotationMemberSchema = z.strictObject({
  provider_id: id,
  models: z
    .array(z.strictObject({ name: modelName, weight: z.number().min(0).max(1_000_000).default(1) }))
    .min(1, "a rotation member needs at least one model"),
});

export const rotationSchema = z.strictObject({
  providers: z
    .array(rotationMemberSchema)
    .min(1, "a rotation needs at least one provider")
    // A target listed twice would get twice the attempts of one request (and its health counted twice).
    .superRefine((members, context) => {
      const seen = new Set<string>();
      members.forEach((member, index) => {
        member.models.forEach((model, modelIndex) => {
          const target = `${member.provider_id}/${model.name}`;
          if (seen.has(target)) {
            context.addIssue({
              code: "custom",
              path: [index, "models", modelIndex, "name"],
              message: `${target} is listed twice in this rotation`,
            });
          }
          seen.add(target);
        });
      });
    }),
  strategy: z.enum(["weighted", "priority"]).optional(),
  max_attempts: z.number().int().min(1).max(20).optional(),
  /** Longest Retry-After the gateway will wait on one target before moving on, in ms. */
  max_retry_wait_ms: z.number().int().min(0).max(60_000).optional(),
  continue_on_cut: z.boolean().optional(),
  timeouts: timeoutsSchema.optional(),
});

/**
 * Client-side model names (Claude Code's fixed names, say) mapped to a "<provider>/<model>" or a rotation. A name
 * may end in "*" to match every name with that prefix; the longest prefix wins.
 */
const modelAliasesSchema = z.record(
  z.string().regex(/^[^*]+\*?$/, 'must be a model name, optionally ending in one "*"'),
  z.string().min(1),
);

export const rotationsFileSchema = z.strictObject({
  rotations: z.record(id, rotationSchema),
  model_aliases: modelAliasesSchema.optional(),
});

/** A client key: "${ENV_VAR}" (the key itself lives in the environment) or "sha256:<64 hex>" (only its hash is stored). */
const clientKeyValue = z
  .string()
  .regex(
    /^(\$\{[A-Za-z_][A-Za-z0-9_]*\}|sha256:[0-9a-f]{64})$/,
    'must be "${ENV_VAR}" or "sha256:<64 lowercase hex digits>" (aisbf keys add NAME writes one); plaintext keys are not accepted',
  );

export const clientKeySchema = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, "must be 1-64 letters, digits, '.', '_' or '-'"),
  key: clientKeyValue,
  /** Providers and rotations this key may use (by id); absent means all. */
  allow: z.array(z.string().min(1)).optional(),
  /** Models this key may use, as "<provider>/<model>" or a rotation name; absent means all. */
  models: z.array(z.string().min(1)).optional(),
  requests_per_minute: z.number().int().positive().optional(),
  max_concurrent: z.number().int().positive().optional(),
  /** Input plus output tokens per UTC day; past it, a 429 until midnight UTC. */
  tokens_per_day: z.number().int().positive().optional(),
  /** Sees every key's usage at GET /v1/usage and on the dashboard (other keys see their own). */
  admin: z.boolean().optional(),
});

export const serverFileSchema = z.strictObject({
  host: z.string().min(1).optional(),
  port: z.number().int().min(0).max(65535).optional(),
  /** Largest request body accepted, in bytes (default 10 MiB). */
  max_body_bytes: z.number().int().positive().optional(),
  /** Largest total size of request headers, in bytes (default 12 KiB; Bun itself refuses more than 16 KiB). */
  max_header_bytes: z
    .number()
    .int()
    .positive()
    .max(15 * 1024, "Bun refuses request headers over 16 KiB; use at most 15360")
    .optional(),
  /** Concurrent requests per client key; default 64. */
  max_concurrent_per_key: z.number().int().positive().optional(),
  /** Concurrent requests per client address when client keys are off; default 256 (defaults in server/deps.ts). */
  max_concurrent_per_address: z.number().int().positive().optional(),
  /** Total bytes of request bodies held by requests in flight; beyond it a 503 with Retry-After. Default 64 MiB. */
  max_body_bytes_in_flight: z.number().int().positive().optional(),
  /** Seconds a connection may idle (between keep-alive requests, between header bytes); default 10. Bun only. */
  idle_timeout_seconds: z.number().int().min(1).max(255, "Bun takes at most 255 seconds").optional(),
  /** Time to receive a request's body once its headers are in, else a 408; default 60 s. */
  body_timeout_ms: timeoutMs.optional(),
  /**
   * Messages streams: after this long without an event from the upstream, an `event: ping` goes to the client (as
   * Anthropic's own stream sends), and one more per further interval; default 10000 ms, 0 for none.
   */
  stream_ping_ms: z.number().int().min(0).max(2_147_483_647).optional(),
  /** Host names (besides loopback ones) a request's Host header may carry; anything else is a 403. */
  allowed_hosts: z
    .array(
      z
        .string()
        .regex(
          /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?)$/,
          "must be a host name or address without a port (an IPv6 address in brackets)",
        ),
    )
    .optional(),
  auth: z.strictObject({ keys: z.array(clientKeySchema) }).optional(),
  /** Web origins allowed to call the gateway from a browser: URLs, "null" (sandboxed pages, file://) or "*". */
  cors: z
    .strictObject({ origins: z.array(z.string().url().or(z.literal("*")).or(z.literal("null"))) })
    .optional(),
  /**
   * Where health, cooldowns, probes, rate budgets and token counters live when several instances share them. The URL
   * (redis:// or rediss://, password included) may be a ${ENV} reference. Read at start only.
   */
  state: z
    .strictObject({
      redis: z.string().min(1),
      /** Namespace of every key and channel: instances with the same prefix share state. Default "aisbf". */
      prefix: z
        .string()
        .regex(/^[A-Za-z0-9_.-]{1,64}$/, "letters, digits, '_', '.', '-' (at most 64)")
        .optional(),
      /** Longest a request waits on Redis before it goes on with this instance's own state; default 5 ms. */
      timeout_ms: z.number().int().min(1).max(1000).optional(),
    })
    .optional(),
  logging: z
    .strictObject({
      level: z.enum(["debug", "info", "warn", "error"]).optional(),
      format: z.enum(["text", "json"]).optional(),
      /** One access-log line per request (info; health checks and scrapes at debug); default true. */
      access: z.boolean().optional(),
    })
    .optional(),
});

export type ProviderType = z.infer<typeof providerSchema>["type"];
export type ProviderFileEntry = z.infer<typeof providerSchema>;
export type ModelConfig = z.infer<typeof modelSchema>;
export type TimeoutsConfig = z.infer<typeof timeoutsSchema>;
export type RotationConfig = z.infer<typeof rotationSchema>;
export type ServerFile = z.infer<typeof serverFileSchema>;
export type ClientKeyConfig = z.infer<typeof clientKeySchema>;

/** A provider after ${ENV} interpolation. */
export type ProviderConfig = ProviderFileEntry & {
  /** The environment variable api_key named, so errors can say what to set. */
  api_key_env?: string;
};
