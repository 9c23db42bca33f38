// Refuses to expose a gateway without client keys beyond this machine: anyone who can reach it could spend its keys.

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** localhost, 127.0.0.0/8 or ::1 (bracketed or not): an address only this machine reaches. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (bare === "localhost" || bare === "::1") return true;
  const octets = IPV4.exec(bare);
  return octets !== null && octets[1] === "127" && octets.slice(2).every((octet) => Number(octet) <= 255);
}

/** The refusal message, or undefined when binding is safe (loopback, client keys configured, or explicitly overridden). */
export function bindRefusal(host: string, clientKeys: number, insecureNoAuth: boolean): string | undefined {
  if (isLoopback(host) || clientKeys > 0 || insecureNoAuth) return undefined;
  return [
    `refusing to listen on ${host} with no client API keys configured.`,
    "Anyone who can reach this address could use the provider keys this gateway holds, and spend their money.",
    "Add client keys (aisbf keys add NAME, stored in aisbf.json under auth.keys), or listen on 127.0.0.1,",
    "or, if a firewall or proxy already guards the port, start with --insecure-no-auth.",
  ].join("\n");
}
