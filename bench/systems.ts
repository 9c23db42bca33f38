// The systems under test: how each is started on the server core, and where the benchmark sends its load.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SERVER_CPU, type Started, startPinned } from "./processes.ts";

export interface Target {
  /** Path on the system for an OpenAI chat completion (OpenAI upstream). */
  chatPath: string;
  headers: Record<string, string>;
}

export interface RunningSystem {
  entry: Started;
  baseUrl: string;
  openai: Target;
  /** OpenAI in, Anthropic out; absent for systems that cannot translate. */
  translation?: Target;
  /** Responses in, OpenAI chat out; AISBF only. */
  responses?: Target;
  /** Anthropic Messages in, Anthropic out (a pass-through); absent for systems without a Messages route. */
  messages?: Target;
  /** Anthropic Messages in, OpenAI chat out; absent for systems that cannot translate. */
  messagesTranslation?: Target;
  /** From exec to the first answered chat completion. */
  startupMs: number;
}

export interface Environment {
  tmp: string;
  bun: string;
  node: string | undefined;
  nginx: string | undefined;
  portkeyEntry: string | undefined;
  aisbfBinary: string | undefined;
  /** The mock upstream the proxies forward to (on the load core). */
  mockPort: number;
}

export interface System {
  id: string;
  label: string;
  /** Why the system cannot run here, or undefined when it can. */
  missing(env: Environment): string | undefined;
  start(env: Environment, port: number): Promise<RunningSystem>;
}

export const JSON_BODY = (model: string, stream = false) =>
  JSON.stringify({
    model,
    ...(stream ? { stream: true } : {}),
    max_tokens: 256,
    messages: [
      { role: "system", content: "You are a helpful assistant." },
      { role: "user", content: "Hello! How are you doing today?" },
    ],
  });

/** Polls with a real chat completion until one answers 200; returns ms since `since`. */
async function firstAnswer(url: string, target: Target, since: number, entry: Started): Promise<number> {
  const body = JSON_BODY("bench-d0");
  const deadline = since + 30_000;
  while (performance.now() < deadline) {
    if (entry.process.exitCode !== null) break;
    try {
      const response = await fetch(`${url}${target.chatPath}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...target.headers },
        body,
      });
      const text = await response.text();
      if (response.status === 200) return performance.now() - since;
      if (response.status !== 502 && response.status !== 503) {
        throw new Error(`HTTP ${response.status}: ${text.slice(0, 300)}`);
      }
    } catch (thrown) {
      if (thrown instanceof Error && thrown.message.startsWith("HTTP")) throw thrown;
    }
    await Bun.sleep(2);
  }
  throw new Error(`no answer: ${entry.output().slice(-2000)}`);
}

async function launch(
  name: string,
  command: string[],
  port: number,
  openai: Target,
  translation?: Target,
  env: Record<string, string | undefined> = {},
): Promise<RunningSystem> {
  const baseUrl = `http://127.0.0.1:${port}`;
  const since = performance.now();
  const entry = startPinned(name, SERVER_CPU, command, env);
  const startupMs = await firstAnswer(baseUrl, openai, since, entry);
  return { entry, baseUrl, openai, translation, startupMs };
}

const OPENAI_PATH: Target = { chatPath: "/v1/chat/completions", headers: {} };
/** The headers an Anthropic SDK client sends (the key is the mock's, which checks none). */
const ANTHROPIC_HEADERS = { "anthropic-version": "2023-06-01", "x-api-key": "bench-anthropic-key" };
/** A proxy that forwards any path (nginx, the bare one) reaches the mock's Messages endpoint as it is. */
const MESSAGES_PATH: Target = { chatPath: "/v1/messages", headers: ANTHROPIC_HEADERS };

/** Whether the other checkout's config schema has the per-address cap (it refuses keys it does not know). */
function otherKnowsAddressCap(): boolean {
  const schema = join(Bun.env.BENCH_AISBF_OTHER as string, "src", "config", "schema.ts");
  return existsSync(schema) && readFileSync(schema, "utf8").includes("max_concurrent_per_address");
}

function aisbfConfig(env: Environment, name: string, knowsAddressCap = true): string {
  const dir = join(env.tmp, name);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const mock = `http://127.0.0.1:${env.mockPort}`;
  writeFileSync(
    join(dir, "providers.json"),
    JSON.stringify({
      providers: {
        mock: {
          id: "mock",
          name: "Mock OpenAI",
          type: "openai",
          endpoint: `${mock}/v1`,
          api_key_required: false,
        },
        "mock-anthropic": {
          id: "mock-anthropic",
          name: "Mock Anthropic",
          type: "anthropic",
          endpoint: mock,
          api_key_required: true,
          api_key: "bench-anthropic-key",
        },
      },
    }),
    { mode: 0o600 },
  );
  writeFileSync(join(dir, "rotations.json"), JSON.stringify({ rotations: {} }), { mode: 0o600 });
  // Every load generator connects from 127.0.0.1, one client address: the default cap of 256 requests in flight
  // per address would refuse the c512 lane and the 2,048 concurrent streams. The lanes measure speed, not limits.
  // An older checkout (aisbf-other) may predate the setting, and its config schema refuses unknown keys.
  if (knowsAddressCap)
    writeFileSync(join(dir, "aisbf.json"), JSON.stringify({ max_concurrent_per_address: 1_000_000 }), {
      mode: 0o600,
    });
  return dir;
}

const AISBF_OPENAI: Target = { chatPath: "/api/mock/chat/completions", headers: {} };
const AISBF_TRANSLATION: Target = { chatPath: "/api/mock-anthropic/chat/completions", headers: {} };
const AISBF_RESPONSES: Target = { chatPath: "/api/mock/v1/responses", headers: {} };
const AISBF_MESSAGES: Target = {
  chatPath: "/api/mock-anthropic/v1/messages",
  headers: { "anthropic-version": "2023-06-01" },
};
const AISBF_MESSAGES_TRANSLATION: Target = {
  chatPath: "/api/mock/v1/messages",
  headers: { "anthropic-version": "2023-06-01" },
};
/** What each AISBF system serves besides the chat routes `launch` is given. */
const AISBF_ROUTES = {
  responses: AISBF_RESPONSES,
  messages: AISBF_MESSAGES,
  messagesTranslation: AISBF_MESSAGES_TRANSLATION,
};

/** A Responses API body for the same conversation as JSON_BODY (instructions in place of the system message). */
export const RESPONSES_BODY = (model: string, stream = false) =>
  JSON.stringify({
    model,
    ...(stream ? { stream: true } : {}),
    max_output_tokens: 256,
    instructions: "You are a helpful assistant.",
    input: [{ role: "user", content: "Hello! How are you doing today?" }],
  });

/** An Anthropic Messages body for the same conversation as JSON_BODY (the system prompt in `system`). */
export const MESSAGES_BODY = (model: string, stream = false) =>
  JSON.stringify({
    model,
    ...(stream ? { stream: true } : {}),
    max_tokens: 256,
    system: "You are a helpful assistant.",
    messages: [{ role: "user", content: "Hello! How are you doing today?" }],
  });

export const SYSTEMS: System[] = [
  {
    id: "direct",
    label: "direct (mock)",
    missing: () => undefined,
    // A second mock on the server core: the floor every proxy is compared with.
    start: (env, port) =>
      launch(
        "direct",
        [env.bun, join(import.meta.dir, "mock-upstream.ts"), "--port", String(port)],
        port,
        OPENAI_PATH,
      ),
  },
  {
    id: "nginx",
    label: "nginx",
    missing: (env) => (env.nginx ? undefined : "nginx is not installed (apt-get install nginx)"),
    start(env, port) {
      const prefix = join(env.tmp, "nginx");
      mkdirSync(join(prefix, "logs"), { recursive: true });
      const conf = join(prefix, "nginx.conf");
      writeFileSync(conf, nginxConfig(prefix, port, env.mockPort));
      return launch(
        "nginx",
        [env.nginx as string, "-p", prefix, "-c", conf, "-e", join(prefix, "logs", "error.log")],
        port,
        OPENAI_PATH,
      ).then((running) => ({ ...running, messages: MESSAGES_PATH }));
    },
  },
  {
    id: "bare",
    label: "bare Bun+Hono",
    missing: () => undefined,
    start: (env, port) =>
      launch(
        "bare",
        [
          env.bun,
          join(import.meta.dir, "bare-proxy.ts"),
          "--port",
          String(port),
          "--upstream",
          `http://127.0.0.1:${env.mockPort}`,
        ],
        port,
        OPENAI_PATH,
      ).then((running) => ({ ...running, messages: MESSAGES_PATH })),
  },
  {
    // The floor of a proxy that watches its streams: the upstream's bytes read in JavaScript, written on untouched.
    id: "bare-js",
    label: "bare, body read in JS",
    missing: () => undefined,
    start: (env, port) =>
      launch(
        "bare-js",
        [
          env.bun,
          join(import.meta.dir, "bare-proxy.ts"),
          "--port",
          String(port),
          "--upstream",
          `http://127.0.0.1:${env.mockPort}`,
          "--read-in-js",
        ],
        port,
        OPENAI_PATH,
      ).then((running) => ({ ...running, messages: MESSAGES_PATH })),
  },
  {
    id: "portkey",
    label: "Portkey",
    missing: (env) =>
      !env.node
        ? "node is not installed"
        : !env.portkeyEntry
          ? "@portkey-ai/gateway is not installed (npm ci)"
          : undefined,
    start(env, port) {
      const mock = `http://127.0.0.1:${env.mockPort}`;
      const openai: Target = {
        chatPath: "/v1/chat/completions",
        headers: {
          "x-portkey-provider": "openai",
          "x-portkey-custom-host": `${mock}/v1`,
          authorization: "Bearer sk-bench",
        },
      };
      const translation: Target = {
        chatPath: "/v1/chat/completions",
        headers: {
          "x-portkey-provider": "anthropic",
          "x-portkey-custom-host": `${mock}/v1`,
          authorization: "Bearer bench-anthropic-key",
        },
      };
      // Portkey's /v1/messages: Anthropic's body to an Anthropic provider as it is, to others translated.
      const messages: Target = {
        chatPath: "/v1/messages",
        headers: { ...translation.headers, "anthropic-version": "2023-06-01" },
      };
      const messagesTranslation: Target = {
        chatPath: "/v1/messages",
        headers: { ...openai.headers, "anthropic-version": "2023-06-01" },
      };
      return launch(
        "portkey",
        [env.node as string, env.portkeyEntry as string, `--port=${port}`, "--headless"],
        port,
        openai,
        translation,
        { NODE_ENV: "production" },
      ).then((running) => ({ ...running, messages, messagesTranslation }));
    },
  },
  {
    id: "aisbf",
    label: "AISBF (source)",
    missing: () => undefined,
    start: (env, port) =>
      launch(
        "aisbf",
        [
          env.bun,
          join(import.meta.dir, "..", "src", "main.ts"),
          "serve",
          "--config-dir",
          aisbfConfig(env, "aisbf-source"),
          "--port",
          String(port),
          "--log-level",
          "warn",
        ],
        port,
        AISBF_OPENAI,
        AISBF_TRANSLATION,
      ).then((running) => ({ ...running, ...AISBF_ROUTES })),
  },
  {
    // BENCH_AISBF_OTHER=/path/to/another/checkout: that tree's source beside this one, loaded in turn with it, so
    // a change is judged against its base in one run (sequential runs of one build move by ±20% here).
    id: "aisbf-other",
    label: "AISBF (other checkout)",
    missing: () => (Bun.env.BENCH_AISBF_OTHER ? undefined : "BENCH_AISBF_OTHER is not set"),
    start: (env, port) =>
      launch(
        "aisbf-other",
        [
          env.bun,
          join(Bun.env.BENCH_AISBF_OTHER as string, "src", "main.ts"),
          "serve",
          "--config-dir",
          aisbfConfig(env, "aisbf-other", otherKnowsAddressCap()),
          "--port",
          String(port),
          "--log-level",
          "warn",
        ],
        port,
        AISBF_OPENAI,
        AISBF_TRANSLATION,
      ).then((running) => ({ ...running, ...AISBF_ROUTES })),
  },
  {
    id: "aisbf-bin",
    label: "AISBF (binary)",
    missing: (env) => (env.aisbfBinary ? undefined : "no compiled binary (bun build --compile failed)"),
    start: (env, port) =>
      launch(
        "aisbf-bin",
        [
          env.aisbfBinary as string,
          "serve",
          "--config-dir",
          aisbfConfig(env, "aisbf-binary"),
          "--port",
          String(port),
          "--log-level",
          "warn",
        ],
        port,
        AISBF_OPENAI,
        AISBF_TRANSLATION,
      ).then((running) => ({ ...running, ...AISBF_ROUTES })),
  },
];

function nginxConfig(prefix: string, port: number, mockPort: number): string {
  // proxy_buffering off: every SSE chunk is forwarded as it arrives, as a gateway must.
  return `daemon off;
master_process on;
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/logs/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path ${prefix}/client_body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  upstream mock { server 127.0.0.1:${mockPort}; keepalive 256; }
  server {
    listen 127.0.0.1:${port};
    keepalive_requests 1000000;
    location / {
      proxy_pass http://mock;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
    }
  }
}
`;
}
