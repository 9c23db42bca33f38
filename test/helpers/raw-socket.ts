// A raw TCP client for what fetch cannot do: send half a request, keep a connection idle, see when it closes.
import { connect, type Socket } from "node:net";

export interface RawConnection {
  socket: Socket;
  /** Everything received so far, as text. */
  received(): string;
  /** Resolves with the text received once `pattern` matches it; rejects after `ms`. */
  waitFor(pattern: RegExp, ms: number): Promise<string>;
  /** Resolves with the milliseconds from connecting to the socket's close (by either side). */
  closed: Promise<number>;
  write(text: string): void;
  destroy(): void;
}

export async function openRaw(url: string): Promise<RawConnection> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  let text = "";
  const opened = performance.now();
  const waiters = new Set<() => void>();
  socket.on("data", (bytes) => {
    text += bytes.toString("latin1");
    for (const wake of waiters) wake();
  });
  socket.on("error", () => {});
  const closed = new Promise<number>((resolve) =>
    socket.on("close", () => resolve(performance.now() - opened)),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  return {
    socket,
    received: () => text,
    closed,
    write: (data) => {
      socket.write(data);
    },
    destroy: () => socket.destroy(),
    waitFor(pattern, ms) {
      return new Promise<string>((resolve, reject) => {
        const check = () => {
          if (!pattern.test(text)) return;
          cleanup();
          resolve(text);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no ${pattern} within ${ms} ms; received: ${text.slice(0, 500)}`));
        }, ms);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
  };
}

/** Resolves true if the connection closed within `ms`, false if it was still open then. */
export async function closesWithin(connection: RawConnection, ms: number): Promise<boolean> {
  return Promise.race([connection.closed.then(() => true), Bun.sleep(ms).then(() => false)]);
}

/** The JSON body of the first HTTP/1.1 response in `text` (Content-Length framed). */
export function responseJson(text: string): { status: number; body: unknown } {
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
  const start = text.indexOf("\r\n\r\n") + 4;
  const length = Number(/content-length: (\d+)/i.exec(text)?.[1] ?? 0);
  return { status, body: length > 0 ? JSON.parse(text.slice(start, start + length)) : undefined };
}
