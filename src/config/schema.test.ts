// aisbf.json's hardening settings: what the strict schema accepts and refuses.
import { expect, test } from "bun:test";
import { serverFileSchema } from "./schema.ts";

const accepts = (value: unknown) => serverFileSchema.safeParse(value).success;

test("limits and timeouts: positive integers; the idle timeout within what Bun takes (1-255 s)", () => {
  expect(
    accepts({
      max_body_bytes_in_flight: 64 * 1024 * 1024,
      max_concurrent_per_address: 256,
      idle_timeout_seconds: 10,
      body_timeout_ms: 60_000,
    }),
  ).toBe(true);
  for (const bad of [
    { idle_timeout_seconds: 0 },
    { idle_timeout_seconds: 256 },
    { idle_timeout_seconds: 1.5 },
    { body_timeout_ms: 0 },
    { max_body_bytes_in_flight: -1 },
    { max_concurrent_per_address: 0 },
  ]) {
    expect(accepts(bad)).toBe(false);
  }
});

test("allowed_hosts: names and addresses without a port, IPv6 in brackets", () => {
  expect(accepts({ allowed_hosts: ["gw.example.com", "10.0.0.5", "[fd00::1]", "my-host", "host."] })).toBe(
    true,
  );
  for (const bad of ["gw.example.com:8080", "http://gw.example.com", "fd00::1", "a b", "", "*.example.com"]) {
    expect(accepts({ allowed_hosts: [bad] })).toBe(false);
  }
});

test('cors.origins: URLs, "*" or "null"; a typo is refused', () => {
  expect(accepts({ cors: { origins: ["https://app.example.com", "null", "*"] } })).toBe(true);
  expect(accepts({ cors: { origins: ["app.example.com"] } })).toBe(false);
  expect(accepts({ allowed_host: ["x"] })).toBe(false);
});
