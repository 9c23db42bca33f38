// Request limits before any work: header size (431) and concurrent requests per client (429).
import type { Context, MiddlewareHandler, Next } from "hono";
import { bodyLimit } from "hono/body-limit";
import { GatewayError } from "../../api/errors.ts";
import type { ClientKey } from "../../config/client-keys.ts";

/** Below Bun's own 16 KiB cap, which answers with an empty body: ours answers in OpenAI's error shape. */
export const DEFAULT_MAX_HEADER_BYTES = 12 * 1024;
export const DEFAULT_MAX_CONCURRENT_PER_KEY = 64;

export function headerLimit(maxBytes: number) {
  return async function limitHeaders(c: Context, next: Next): Promise<void> {
    let total = 0;
    c.req.raw.headers.forEach((value, name) => {
      total += name.length + value.length + 4;
    });
    if (total > maxBytes) {
      throw new GatewayError(`The request headers are larger than the limit of ${maxBytes} bytes`, {
        status: 431,
        type: "invalid_request_error",
        code: "request_header_fields_too_large",
      });
    }
    await next();
  };
}

/**
 * Hono's bodyLimit, with the common case first: a body with a Content-Length (which the runtime holds the body
 * to) is judged by the header alone. Hono's own asks for `request.body` before that, and materialising the body
 * as a stream made reading it later slower; chunked bodies still go through Hono's byte count.
 */
export function limitBodySize(maxBytes: number, onTooLarge: () => never): MiddlewareHandler {
  const counted = bodyLimit({ maxSize: maxBytes, onError: onTooLarge });
  return async function limitBody(c: Context, next: Next) {
    const headers = c.req.raw.headers;
    const length = headers.get("content-length");
    if (length === null || headers.has("transfer-encoding")) return counted(c, next);
    if (Number.parseInt(length, 10) > maxBytes) onTooLarge();
    await next();
  };
}

/** Releases `release` once a response body has been fully sent, failed or been abandoned by the client. */
function releaseWhenSent(body: ReadableStream<Uint8Array>, release: () => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let released = false;
  const once = () => {
    if (!released) {
      released = true;
      release();
    }
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { value, done } = await reader.read();
        if (done) {
          once();
          controller.close();
          return;
        }
        controller.enqueue(value);
      } catch (error) {
        once();
        controller.error(error);
      }
    },
    cancel(reason) {
      once();
      return reader.cancel(reason);
    },
  });
}

/**
 * Caps requests in flight per client key (a stream counts until it ends). `limitFor` gives the cap for a key,
 * or undefined for no cap (anonymous callers when no cap is configured).
 */
export function concurrencyLimit(limitFor: (key: ClientKey | undefined) => number | undefined) {
  const inFlight = new Map<string, number>();
  return async function limitConcurrency(c: Context, next: Next): Promise<void> {
    const key = c.get("clientKey") as ClientKey | undefined;
    const limit = limitFor(key);
    if (limit === undefined) {
      await next();
      return;
    }
    const id = key?.name ?? "";
    const current = inFlight.get(id) ?? 0;
    if (current >= limit) {
      throw new GatewayError(
        `Too many concurrent requests for this key (limit ${limit}); retry when one finishes`,
        {
          status: 429,
          type: "rate_limit_error",
          code: "too_many_concurrent_requests",
          headers: { "retry-after": "1" },
        },
      );
    }
    inFlight.set(id, current + 1);
    const release = () => {
      const now = (inFlight.get(id) ?? 1) - 1;
      if (now <= 0) inFlight.delete(id);
      else inFlight.set(id, now);
    };
    try {
      await next();
    } catch (error) {
      release();
      throw error;
    }
    const body = c.res.body;
    if (body && (c.res.headers.get("content-type") ?? "").includes("text/event-stream")) {
      c.res = new Response(releaseWhenSent(body, release), c.res);
    } else {
      release();
    }
  };
}
