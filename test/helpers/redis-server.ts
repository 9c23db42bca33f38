// A real redis-server (Debian package redis-server) for the shared-state suites: a free port on 127.0.0.1, its data
// in a temporary dir, no persistence, stopped (or killed) by PID.
import { existsSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { freePort, tempDir } from "../cli-helpers.ts";

export const REDIS_SERVER = "/usr/bin/redis-server";
export const haveRedis = existsSync(REDIS_SERVER);

export interface TestRedis {
  url: string;
  port: number;
  pid(): number;
  /** SIGKILL: gone without a goodbye, as a crash or a cut network looks. */
  kill(): Promise<void>;
  /** Starts it again on the same port (empty: no persistence). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port }, () => socket.write("PING\r\n"));
    socket.once("data", (data) => {
      socket.destroy();
      resolve(data.toString().startsWith("+PONG"));
    });
    socket.once("error", () => resolve(false));
  });
}

export async function startRedis(): Promise<TestRedis> {
  const dir = tempDir("aisbf-redis-");
  const port = freePort();
  let child: ReturnType<typeof Bun.spawn>;
  const launch = async () => {
    child = Bun.spawn(
      [
        REDIS_SERVER,
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        dir,
        "--save",
        "",
        "--appendonly",
        "no",
      ],
      { stdout: "ignore", stderr: "ignore", stdin: "ignore" },
    );
    const deadline = Date.now() + 5000;
    while (!(await answers(port))) {
      if (Date.now() > deadline) throw new Error(`redis-server did not start on ${port} (${join(dir)})`);
      await Bun.sleep(20);
    }
  };
  await launch();
  const end = async (signal: "SIGKILL" | "SIGTERM") => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    await child.exited;
  };
  return {
    url: `redis://127.0.0.1:${port}/0`,
    port,
    pid: () => child.pid,
    kill: () => end("SIGKILL"),
    restart: launch,
    stop: () => end("SIGTERM"),
  };
}

/** A TCP relay in front of a Redis that can be cut for its clients alone: one instance's view of a network split. */
export interface RedisRelay {
  url: string;
  /** Ends every relayed connection and refuses new ones until `restore`. */
  cut(): void;
  restore(): void;
  stop(): void;
}

export function startRelay(redisPort: number, db = 0): RedisRelay {
  type Pair = {
    client: import("bun").Socket<Pair>;
    upstream?: import("bun").Socket<Pair>;
    early: Uint8Array[];
  };
  const pairs = new Set<Pair>();
  let open = true;
  const end = (pair: Pair) => {
    pairs.delete(pair);
    pair.client.end();
    pair.upstream?.end();
  };
  const listener = Bun.listen<Pair>({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open(client) {
        const pair: Pair = { client, early: [] };
        client.data = pair;
        if (!open) {
          client.end();
          return;
        }
        pairs.add(pair);
        void Bun.connect<Pair>({
          hostname: "127.0.0.1",
          port: redisPort,
          data: pair,
          socket: {
            open(upstream) {
              pair.upstream = upstream;
              for (const chunk of pair.early) upstream.write(chunk);
              pair.early = [];
            },
            data: (_upstream, chunk) => void pair.client.write(chunk),
            close: () => end(pair),
            error: () => end(pair),
          },
        }).catch(() => end(pair));
      },
      data(client, chunk) {
        const pair = client.data;
        if (pair.upstream) pair.upstream.write(chunk);
        else pair.early.push(new Uint8Array(chunk));
      },
      close: (client) => end(client.data),
      error: (client) => end(client.data),
    },
  });
  return {
    url: `redis://127.0.0.1:${listener.port}/${db}`,
    cut() {
      open = false;
      for (const pair of [...pairs]) end(pair);
    },
    restore() {
      open = true;
    },
    stop() {
      open = false;
      for (const pair of [...pairs]) end(pair);
      listener.stop(true);
    },
  };
}
