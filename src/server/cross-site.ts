// Refuses what a web page can make a visitor's browser send: a request from a foreign Origin, or one whose Host is
// a name the attacker controls (DNS rebinding: evil.example resolving to 127.0.0.1 makes the page same-origin).
import { GatewayError } from "../api/errors.ts";
import type { LoadedConfig } from "../config/load.ts";
import { isLoopback } from "./bind-safety.ts";

function refused(message: string, code: string): GatewayError {
  return new GatewayError(message, { status: 403, type: "permission_error", code });
}

/** The name part of a Host header, lowercased, without port or trailing dot; undefined when it is malformed. */
export function hostName(host: string): string | undefined {
  let name = host;
  let port = "";
  if (host.startsWith("[")) {
    const end = host.indexOf("]");
    if (end < 0) return undefined;
    name = host.slice(0, end + 1);
    port = host.slice(end + 1);
  } else {
    const colon = host.indexOf(":");
    if (colon >= 0) {
      name = host.slice(0, colon);
      port = host.slice(colon);
    }
  }
  if (port !== "" && !/^:\d{1,5}$/.test(port)) return undefined;
  name = name.toLowerCase();
  if (name.endsWith(".")) name = name.slice(0, -1);
  return name === "" ? undefined : name;
}

/** localhost, *.localhost (which browsers resolve to loopback themselves), 127.0.0.0/8 and [::1]. */
export function isLoopbackName(name: string): boolean {
  return name.endsWith(".localhost") || isLoopback(name);
}

/** An origin as browsers write the Origin header (scheme, host, port unless the default; no path or slash). */
function normalOrigin(origin: string): string {
  return origin === "*" || origin === "null" ? origin : new URL(origin).origin;
}

/** The configured CORS origins as browsers send them; empty without a cors setting. */
export function allowedOrigins(config: LoadedConfig): string[] {
  return (config.server.cors?.origins ?? []).map(normalOrigin);
}

/**
 * Host is checked when the gateway listens on a loopback address (where no legitimate client uses another name)
 * or when `allowed_hosts` is set. `listenHost` undefined (an app built in a test) counts as loopback.
 */
export function createCrossSiteCheck(config: LoadedConfig, listenHost: string | undefined) {
  const origins = new Set(allowedOrigins(config));
  const anyOrigin = origins.has("*");
  const extraHosts = new Set((config.server.allowed_hosts ?? []).map((host) => hostName(host) ?? host));
  const checkHost = listenHost === undefined || isLoopback(listenHost) || extraHosts.size > 0;
  // The Host every request of a client carries (127.0.0.1:17765): once accepted, one string compare a request.
  let acceptedHost: string | null = null;

  return function checkCrossSite(headers: Headers): void {
    if (checkHost) {
      const host = headers.get("host");
      // No Host at all is HTTP/1.0 from a program: no browser sends that.
      if (host !== acceptedHost && host !== null) {
        const name = hostName(host);
        if (name === undefined || !(isLoopbackName(name) || extraHosts.has(name))) {
          throw refused(
            `The Host '${host.slice(0, 100)}' is not one this gateway answers to; add it to allowed_hosts in aisbf.json if it should be`,
            "host_not_allowed",
          );
        }
        acceptedHost = host;
      }
    }
    const origin = headers.get("origin");
    if (origin !== null && !anyOrigin && !origins.has(origin)) {
      throw refused(
        `Requests from the web origin '${origin.slice(0, 100)}' are not allowed; list it in cors.origins in aisbf.json if it should be`,
        "origin_not_allowed",
      );
    }
  };
}
