// The header size limit (431), checked before any work; concurrency and body budgets are in admission.ts, body
// size in body.ts.
import { GatewayError } from "../../api/errors.ts";

/** Below Bun's own 16 KiB cap, which answers with an empty body: ours answers in OpenAI's error shape. */
export const DEFAULT_MAX_HEADER_BYTES = 12 * 1024;

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
