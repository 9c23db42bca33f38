// Request limits before any work: header size (431) and concurrent requests per client (429); body size is in body.ts.
import { GatewayError } from "../../api/errors.ts";
import type { ClientKey } from "../../config/client-keys.ts";

/** Below Bun's own 16 KiB cap, which answers with an empty body: ours answers in OpenAI's error shape. */
export const DEFAULT_MAX_HEADER_BYTES = 12 * 1024;
export const DEFAULT_MAX_CONCURRENT_PER_KEY = 64;

/** Throws a 431 when the request's headers (names, values and their separators) exceed `maxBytes`. */
export function checkHeaderSize(headers: Headers, maxBytes: number): void {
  let total = 0;
  headers.forEach((value, name) => {
    total += name.length + value.length + 4;
  });
  if (total > maxBytes) {
    throw new GatewayError(`The request headers are larger than the limit of ${maxBytes} bytes`, {
      status: 431,
      type: "invalid_request_error",
      code: "request_header_fields_too_large",
    });
  }
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
 * or undefined for no cap (anonymous callers when no cap is configured). The returned function runs `work`
 * under the cap.
 */
export function concurrencyLimit(limitFor: (key: ClientKey | undefined) => number | undefined) {
  const inFlight = new Map<string, number>();
  return async function limitConcurrency(
    key: ClientKey | undefined,
    work: () => Response | Promise<Response>,
  ): Promise<Response> {
    const limit = limitFor(key);
    if (limit === undefined) return work();
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
    let response: Response;
    try {
      response = await work();
    } catch (error) {
      release();
      throw error;
    }
    const body = response.body;
    if (body && (response.headers.get("content-type") ?? "").includes("text/event-stream")) {
      return new Response(releaseWhenSent(body, release), response);
    }
    release();
    return response;
  };
}
