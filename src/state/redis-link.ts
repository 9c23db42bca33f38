// The one connection shared state goes through: every call bounded by a timeout of a few ms, and while Redis is down
// or slow an immediate "not now", so the caller goes on with this instance's own state. Each change between the two
// is logged once and shown in /health; ioredis reconnects, and a ping brings a slow Redis back.
import { createHash } from "node:crypto";
import Redis from "ioredis";
import type { Logger } from "../log/logger.ts";
import type { StateStatus } from "../server/deps.ts";

export interface RedisLinkOptions {
  url: string;
  prefix: string;
  timeoutMs: number;
  logger: Logger;
  clock: () => number;
}

/** How often a Redis that answered too slowly is asked again whether it is back. */
const RECHECK_MS = 500;

/** A Lua script run by its SHA (sent in full once per connection, when Redis says NOSCRIPT). */
export interface Script {
  lua: string;
  sha: string;
}

export function script(lua: string): Script {
  return { lua, sha: createHash("sha1").update(lua).digest("hex") };
}

export class RedisLink {
  private readonly client: Redis;
  private readonly subscriber: Redis;
  private shared = false;
  /** What the log last said, so each change is said once (and a Redis down from the start is said too). */
  private said: "shared" | "local" | undefined;
  private since: number;
  private lastError: string | undefined;
  private recheck: ReturnType<typeof setInterval> | undefined;
  private readonly handlers = new Map<string, (message: string) => void>();

  constructor(private readonly options: RedisLinkOptions) {
    this.since = options.clock();
    const common = {
      // A request never waits for a connection: without one, calls fail at once and the caller goes local.
      enableOfflineQueue: false,
      commandTimeout: options.timeoutMs,
      connectTimeout: 1000,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      retryStrategy: (times: number) => Math.min(100 * times, 1000),
      lazyConnect: false,
    };
    this.client = new Redis(options.url, common);
    // The subscriber keeps its subscriptions across reconnects (ioredis resubscribes); its queue holds them until then.
    this.subscriber = new Redis(options.url, {
      ...common,
      enableOfflineQueue: true,
      commandTimeout: undefined,
    });
    this.client.on("ready", () => this.toShared());
    this.client.on("error", (error: Error) => this.toLocal(error.message));
    this.client.on("close", () => this.toLocal("connection closed"));
    this.subscriber.on("error", () => {
      // The command connection reports the outage; this one reconnects on its own.
    });
    this.subscriber.on("message", (channel: string, message: string) =>
      this.handlers.get(channel)?.(message),
    );
  }

  get prefix(): string {
    return this.options.prefix;
  }

  /** Waits (at most `ms`) for the first connection, so the first requests already share; false if not up by then. */
  async ready(ms: number): Promise<boolean> {
    const deadline = this.options.clock() + ms;
    while (!this.shared && this.options.clock() < deadline) await new Promise((done) => setTimeout(done, 10));
    return this.shared;
  }

  status(): StateStatus {
    return {
      backend: "redis",
      mode: this.shared ? "shared" : "local",
      prefix: this.options.prefix,
      since: new Date(this.since).toISOString(),
      ...(this.lastError && !this.shared ? { last_error: this.lastError } : {}),
    };
  }

  /** Runs a script; undefined when Redis is not there now or did not answer within the timeout. */
  async run(code: Script, keys: string[], args: (string | number)[]): Promise<unknown> {
    if (!this.shared) return undefined;
    try {
      return await this.evalsha(code, keys, args);
    } catch (error) {
      this.failed(error);
      return undefined;
    }
  }

  /** Runs a script whose answer nobody waits for (a count, a broadcast). */
  send(code: Script, keys: string[], args: (string | number)[]): void {
    if (!this.shared) return;
    this.evalsha(code, keys, args).catch((error: unknown) => this.failed(error));
  }

  /** Calls `onMessage` with each message published on `channel` (by any instance, this one included). */
  async subscribe(channel: string, onMessage: (message: string) => void): Promise<void> {
    this.handlers.set(channel, onMessage);
    await this.subscriber.subscribe(channel).catch(() => {
      // Subscribed once the subscriber connects: ioredis sends the queued SUBSCRIBE then.
    });
  }

  async close(): Promise<void> {
    clearInterval(this.recheck);
    this.client.removeAllListeners();
    this.subscriber.removeAllListeners();
    this.client.disconnect();
    this.subscriber.disconnect();
  }

  private async evalsha(code: Script, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await this.client.evalsha(code.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
      return await this.client.eval(code.lua, keys.length, ...keys, ...args);
    }
  }

  private failed(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.toLocal(message);
    // Slow, not gone: the connection stays, and a ping that answers in time brings the shared state back.
    if (this.client.status === "ready" && this.recheck === undefined) {
      this.recheck = setInterval(() => {
        this.client.ping().then(
          () => this.toShared(),
          () => {},
        );
      }, RECHECK_MS);
    }
  }

  private toLocal(reason: string): void {
    this.lastError = reason;
    if (this.said === "local") return;
    if (this.shared || this.said === undefined) this.since = this.options.clock();
    this.shared = false;
    this.said = "local";
    this.options.logger.warn(
      "redis unavailable: this instance goes on with its own health, rate budgets and token counts",
      { prefix: this.options.prefix, error: reason },
    );
  }

  private toShared(): void {
    clearInterval(this.recheck);
    this.recheck = undefined;
    if (this.shared) return;
    this.shared = true;
    const wasDown = this.said === "local";
    this.said = "shared";
    this.since = this.options.clock();
    this.lastError = undefined;
    if (wasDown) this.options.logger.info("redis back: state shared again", { prefix: this.options.prefix });
    else this.options.logger.info("state shared through redis", { prefix: this.options.prefix });
  }
}
