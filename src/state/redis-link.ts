// The one connection shared state goes through: every call bounded by a timeout of a few ms, and while Redis is down
// or slow an immediate "not now", so the caller goes on with this instance's own state. Each change between the two
// is logged once and shown in /health; ioredis reconnects, and a ping brings a slow Redis back.
import { createHash } from "node:crypto";
import type Redis from "ioredis";
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
/**
 * Reads no request waits for (health entries loaded on a join, usage lines for GET /v1/usage) go on a connection of
 * their own with this timeout: longer than a request's few ms, and a slow read does not send the link local.
 */
export const READ_TIMEOUT_MS = 500;
/** Keys a SCAN asks for per call. */
const SCAN_COUNT = 500;

/** A Lua script run by its SHA (sent in full once per connection, when Redis says NOSCRIPT). */
export interface Script {
  lua: string;
  sha: string;
}

export function script(lua: string): Script {
  return { lua, sha: createHash("sha1").update(lua).digest("hex") };
}

export class RedisLink {
  /**
   * ioredis is loaded only here, when the config names a Redis: it is ~2 MB of the idle process a gateway without
   * one would carry for nothing (bench/RESULTS.md, eighth round).
   */
  static async open(options: RedisLinkOptions): Promise<RedisLink> {
    const { default: RedisClient } = await import("ioredis");
    return new RedisLink(options, RedisClient);
  }

  private readonly client: Redis;
  private readonly subscriber: Redis;
  private readonly reader: Redis;
  private shared = false;
  /** What the log last said, so each change is said once (and a Redis down from the start is said too). */
  private said: "shared" | "local" | undefined;
  private since: number;
  private lastError: string | undefined;
  private recheck: ReturnType<typeof setInterval> | undefined;
  private readonly handlers = new Map<string, (message: string) => void>();
  /** Run on every change to shared (the first connect and each rejoin): what was learnt meanwhile is loaded. */
  private readonly joins: (() => Promise<void>)[] = [];
  private joined: Promise<void> = Promise.resolve();

  private constructor(
    private readonly options: RedisLinkOptions,
    RedisClient: typeof Redis,
  ) {
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
    this.client = new RedisClient(options.url, common);
    // The subscriber keeps its subscriptions across reconnects (ioredis resubscribes); its queue holds them until then.
    this.subscriber = new RedisClient(options.url, {
      ...common,
      enableOfflineQueue: true,
      commandTimeout: undefined,
    });
    this.reader = new RedisClient(options.url, {
      ...common,
      commandTimeout: Math.max(READ_TIMEOUT_MS, options.timeoutMs),
    });
    this.reader.on("error", () => {
      // As the subscriber's: the command connection reports the outage.
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

  /** Redis is there now (not down, not too slow). */
  get isShared(): boolean {
    return this.shared;
  }

  /**
   * Waits (at most `ms`) for the first connection and what it loads, so the first requests already share and know
   * what the others learnt before; false if not up by then.
   */
  async ready(ms: number): Promise<boolean> {
    const deadline = this.options.clock() + ms;
    while (!this.shared && this.options.clock() < deadline) await sleep(10);
    if (!this.shared) return false;
    await Promise.race([this.joined, sleep(Math.max(0, deadline - this.options.clock()))]);
    return true;
  }

  /** Calls `load` now if shared, and on each rejoin: the state others wrote while this instance was not there. */
  onJoin(load: () => Promise<void>): void {
    this.joins.push(load);
    if (this.shared) this.joined = this.joined.then(load).catch(() => {});
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

  /**
   * The values of the keys matching `pattern` (a SCAN, at most `limit` keys), read on the reader connection;
   * undefined when Redis is not there or does not answer in time.
   */
  async scanValues(pattern: string, limit: number): Promise<Map<string, string> | undefined> {
    if (!(await this.readable())) return undefined;
    try {
      const found = new Map<string, string>();
      let cursor = "0";
      do {
        const [next, keys] = await this.reader.scan(cursor, "MATCH", pattern, "COUNT", SCAN_COUNT);
        cursor = next;
        const room = keys.slice(0, limit - found.size);
        if (room.length === 0) continue;
        const values = await this.reader.mget(...room);
        room.forEach((key, index) => {
          const value = values[index];
          if (typeof value === "string") found.set(key, value);
        });
      } while (cursor !== "0" && found.size < limit);
      return found;
    } catch {
      return undefined;
    }
  }

  /** HGETALL of each key in one pipelined round trip on the reader connection; undefined as for scanValues. */
  async readHashes(keys: readonly string[]): Promise<Record<string, string>[] | undefined> {
    if (!(await this.readable())) return undefined;
    try {
      const pipeline = this.reader.pipeline();
      for (const key of keys) pipeline.hgetall(key);
      const answers = (await pipeline.exec()) ?? [];
      return answers.map(([error, value]) => {
        if (error) throw error;
        return value as Record<string, string>;
      });
    } catch {
      return undefined;
    }
  }

  async close(): Promise<void> {
    this.shared = false;
    clearInterval(this.recheck);
    for (const connection of [this.client, this.subscriber, this.reader]) {
      connection.removeAllListeners();
      connection.disconnect();
    }
  }

  /** Shared, and the reader connected (it may come up just after the command connection). */
  private async readable(): Promise<boolean> {
    if (!this.shared) return false;
    const deadline = performance.now() + READ_TIMEOUT_MS;
    while (this.reader.status !== "ready" && performance.now() < deadline) await sleep(10);
    return this.reader.status === "ready";
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
    const loads = this.joins.map((load) => load().catch(() => {}));
    this.joined = Promise.all(loads).then(() => {});
  }
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** `text` matched literally by a SCAN pattern (a prefix may hold glob characters). */
export function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, "\\$&");
}
