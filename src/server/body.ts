// The request body: at most max_body_bytes (413), and JSON (400), read the cheapest way the runtime offers.
import { GatewayError, InvalidRequestError } from "../api/errors.ts";

export function bodyTooLarge(maxBytes: number): GatewayError {
  return new GatewayError(`The request body is larger than the limit of ${maxBytes} bytes`, {
    status: 413,
    type: "invalid_request_error",
    code: "request_too_large",
  });
}

function notJson(): InvalidRequestError {
  return new InvalidRequestError("The request body is not valid JSON", { code: "invalid_json" });
}

/**
 * The body parsed as JSON, refused with a 413 past `maxBytes`. A body with a Content-Length (which the runtime
 * holds the body to) is judged by the header before anything is read, then parsed by the runtime straight from
 * its bytes (no intermediate string); a chunked one is counted as it arrives and dropped as soon as it passes the
 * limit, so an endless body costs no more than the limit.
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const length = request.headers.get("content-length");
  if (length !== null && !request.headers.has("transfer-encoding")) {
    if (Number.parseInt(length, 10) > maxBytes) throw bodyTooLarge(maxBytes);
    try {
      return await request.json();
    } catch (thrown) {
      if (thrown instanceof SyntaxError) throw notJson();
      throw thrown;
    }
  }
  const text = await readChunked(request, maxBytes);
  try {
    return JSON.parse(text);
  } catch {
    throw notJson();
  }
}

async function readChunked(request: Request, maxBytes: number): Promise<string> {
  if (!request.body) return "";
  const reader = request.body.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw bodyTooLarge(maxBytes);
    }
    parts.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.byteLength;
  }
  return new TextDecoder().decode(bytes);
}
