// Starts a real AISBF server on 127.0.0.1 for end-to-end tests, with a config built in the test.

import type { ClientKey } from "../../src/config/client-keys.ts";
import type { LoadedConfig } from "../../src/config/load.ts";
import type { ProviderConfig, ProviderType, RotationConfig, ServerFile } from "../../src/config/schema.ts";
import { createLogger, type Logger } from "../../src/log/logger.ts";
import { createAdapters } from "../../src/providers/registry.ts";
import { createMemoryHealthStore, type HealthStore } from "../../src/routing/health.ts";
import { serveWithBun } from "../../src/runtime/bun.ts";
import { bunSseWriter } from "../../src/runtime/bun-sse-writer.ts";
import { createApp } from "../../src/server/app.ts";
import { configuredSecrets, DEFAULT_IDLE_TIMEOUT_SECONDS } from "../../src/server/deps.ts";

let counter = 0;
export function testId(prefix: string): string {
  counter += 1;
  return `${prefix}test${counter}`;
}

export interface TestGateway {
  url: string;
  health: HealthStore;
  logs: string[];
  /** Moves the injected clock forward (health cooldowns). */
  advance(ms: number): void;
  stop(): Promise<void>;
}

export interface GatewayOptions {
  providers: Record<string, ProviderConfig>;
  rotations?: Record<string, RotationConfig>;
  /** rotations.json's model_aliases. */
  modelAliases?: Record<string, string>;
  maxBodyBytes?: number;
  /** Deterministic random source for rotation order. */
  random?: () => number;
  logger?: Logger;
  server?: ServerFile;
  clientKeys?: ClientKey[];
}

export interface InProcessGateway {
  /** Answers `app.request(path, init)` in this process, with no socket (no runtime connection controls). */
  app: ReturnType<typeof createApp>;
  config: LoadedConfig;
  health: HealthStore;
  logs: string[];
  advance(ms: number): void;
}

/** The app as `serve` builds it, for `app.request()`; `listenHost` as `serve` would pass it. */
export function buildGateway(options: GatewayOptions & { listenHost?: string }): InProcessGateway {
  let offset = 0;
  const clock = () => Date.now() + offset;
  const logs: string[] = [];
  const config: LoadedConfig = {
    dir: "/nonexistent-test-config",
    providers: options.providers,
    rotations: options.rotations ?? {},
    ...(options.modelAliases ? { modelAliases: options.modelAliases } : {}),
    server: options.server ?? {},
    clientKeys: options.clientKeys ?? [],
    warnings: [],
  };
  const logger =
    options.logger ??
    createLogger({
      level: "debug",
      write: (line) => logs.push(line),
      secrets: () => configuredSecrets(config),
    });
  const health = createMemoryHealthStore(clock);
  const app = createApp({
    config,
    adapters: createAdapters({ clock, newId: testId, logger }),
    health,
    logger,
    clock,
    random: options.random ?? Math.random,
    version: "0.0.0-test",
    startedAt: clock(),
    maxBodyBytes: options.maxBodyBytes,
    // As `serve` runs it on Bun: answers stream through Bun's direct stream.
    sseWriter: bunSseWriter,
    ...(options.listenHost !== undefined ? { listenHost: options.listenHost } : {}),
  });
  return {
    app,
    config,
    health,
    logs,
    advance(ms) {
      offset += ms;
    },
  };
}

export function startGateway(options: GatewayOptions): TestGateway {
  const { app, config, health, logs, advance } = buildGateway({ ...options, listenHost: "127.0.0.1" });
  // Through the runtime layer, as `serve` runs it: its idle timeout and connection holds are part of what is tested.
  const server = serveWithBun({
    hostname: "127.0.0.1",
    port: 0,
    fetch: app.fetch,
    maxRequestBodySize: 1024 * 1024 * 1024,
    idleTimeoutSeconds: config.server.idle_timeout_seconds ?? DEFAULT_IDLE_TIMEOUT_SECONDS,
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    health,
    logs,
    advance,
    async stop() {
      await server.stop(false);
    },
  };
}

export function openaiProvider(
  id: string,
  endpoint: string,
  extra: Partial<ProviderConfig> = {},
): ProviderConfig {
  return {
    id,
    name: id,
    type: "openai",
    endpoint,
    api_key_required: true,
    api_key: "sk-test-canary-key-0001",
    ...extra,
  } as ProviderConfig;
}

/**
 * One provider of each type on a mock upstream at `endpoint`, as the suites that run every type (the SDK and agent
 * client suites) configure it: id the type's own name, the model its recordings came from, a canary key (none for a
 * local Ollama) that must never reach a client.
 */
export const providerOfType: Record<ProviderType, (endpoint: string) => ProviderConfig> = {
  openai: (endpoint) => ({
    id: "openai",
    name: "OpenAI-compatible",
    type: "openai",
    endpoint,
    api_key_required: true,
    api_key: "sk-test-canary-key-0001",
    models: [{ name: "gpt-4.1-mini" }],
  }),
  anthropic: (endpoint) => ({
    id: "anthropic",
    name: "Anthropic",
    type: "anthropic",
    endpoint,
    api_key_required: true,
    api_key: "sk-ant-test-canary-0001",
    models: [{ name: "claude-haiku-4-5", max_tokens: 1500 }],
  }),
  google: (endpoint) => ({
    id: "google",
    name: "Gemini",
    type: "google",
    endpoint,
    api_key_required: true,
    api_key: "AIzaSy-test-canary-0001",
    models: [{ name: "gemini-2.5-flash" }],
  }),
  ollama: (endpoint) => ({
    id: "ollama",
    name: "Ollama",
    type: "ollama",
    endpoint,
    api_key_required: false,
    models: [{ name: "gpt-oss:120b" }],
  }),
};
