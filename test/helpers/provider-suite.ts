// The frame of a provider's end-to-end file: one gateway over mock upstreams, and the SDK clients that call it.
import { afterAll, afterEach, beforeAll, beforeEach } from "bun:test";
import OpenAI from "openai";
import type { ProviderType } from "../../src/config/schema.ts";
import {
  type MockHandler,
  type MockUpstream,
  type RecordedRequest,
  requestAt,
  startMock,
} from "../../src/providers/testing.ts";
import { type GatewayOptions, providerOfType, startGateway, type TestGateway } from "./gateway.ts";

/** A provider file's suite; its fields answer once the file's beforeAll has run. */
export interface ProviderSuite<Body = unknown> {
  upstream: MockUpstream;
  gateway: TestGateway;
  /** The /v1 surface: model is "<provider>/<model>". */
  client: OpenAI;
  /** The per-provider surface (`directPath`), where model is the upstream's own name. */
  direct: OpenAI;
  /** The upstream's request number `index`, its body typed as the provider's request; throws when there is none. */
  sent(index: number): RecordedRequest & { body: Body };
}

export interface ProviderSuiteSetup {
  /** The mock's answer for every test that does not set its own. */
  initial: MockHandler;
  gateway: (upstreamUrl: string) => GatewayOptions;
  /** The per-provider route, e.g. /api/anthropic. */
  directPath: string;
  /** The bearer token each client sends: a caller key where a test needs one, else a client key not forwarded. */
  clientKey?: string;
  directKey?: string;
}

interface MockGateway {
  gateway: TestGateway;
  upstreams: Map<string, MockUpstream>;
}

/**
 * Starts a mock for each entry of `initial` and a gateway on their URLs before the file's tests, and stops them
 * after; before each test every mock forgets what it received and answers with its `initial` handler again.
 */
function useMockGateway(
  initial: Map<string, MockHandler>,
  gateway: (urls: Map<string, string>) => GatewayOptions,
  started: (frame: MockGateway) => void,
): void {
  let frame: MockGateway | undefined;
  beforeAll(() => {
    const upstreams = new Map([...initial].map(([name, handler]) => [name, startMock(handler)]));
    const urls = new Map([...upstreams].map(([name, upstream]) => [name, upstream.url]));
    frame = { gateway: startGateway(gateway(urls)), upstreams };
    started(frame);
  });
  afterAll(async () => {
    await frame?.gateway.stop();
    for (const upstream of frame?.upstreams.values() ?? []) await upstream.stop();
  });
  beforeEach(() => {
    for (const [name, upstream] of frame?.upstreams ?? []) {
      upstream.requests.length = 0;
      upstream.handle(initial.get(name) as MockHandler);
    }
  });
}

/**
 * One gateway over one mock upstream, and an openai SDK client for each surface: started before the file's tests,
 * stopped after; before each test the mock forgets what it received and answers with `initial` again.
 */
export function useProviderSuite<Body = unknown>(setup: ProviderSuiteSetup): ProviderSuite<Body> {
  let running: Omit<ProviderSuite<Body>, "sent"> | undefined;
  useMockGateway(
    new Map([["upstream", setup.initial]]),
    (urls) => setup.gateway(urls.get("upstream") as string),
    ({ gateway, upstreams }) => {
      const sdk = (baseURL: string, apiKey: string) => new OpenAI({ apiKey, baseURL, maxRetries: 0 });
      running = {
        upstream: upstreams.get("upstream") as MockUpstream,
        gateway,
        client: sdk(`${gateway.url}/v1`, setup.clientKey ?? "sk-client-not-forwarded"),
        direct: sdk(`${gateway.url}${setup.directPath}`, setup.directKey ?? "sk-client-not-forwarded"),
      };
    },
  );
  const started = () => {
    if (!running) throw new Error("the provider suite runs only inside the file's tests");
    return running;
  };
  return {
    get upstream() {
      return started().upstream;
    },
    get gateway() {
      return started().gateway;
    },
    get client() {
      return started().client;
    },
    get direct() {
      return started().direct;
    },
    sent: (index) => requestAt<Body>(started().upstream, index),
  };
}

/** A 1x1 PNG: the image the suites send. */
export const PIXEL_PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

/** The suite of `useUpstreamPerType`; it answers once the file's beforeAll has run. */
export interface UpstreamPerType<Client> {
  /** The file's SDK client, pointed at the gateway. */
  client: Client;
  /** The mock behind the provider of `type`. */
  upstream(type: ProviderType): MockUpstream;
  /** The JSON body of the request number `index` that the mock of `type` received; throws when there is none. */
  body(type: ProviderType, index: number): Record<string, unknown>;
}

/**
 * One gateway over one mock upstream for each provider type (the suites that run a dialect against every type):
 * the provider of each is `providerOfType`'s, and `initial` its mock's answer for every test that sets none;
 * `client` makes the file's SDK client once the gateway runs.
 */
export function useUpstreamPerType<Client>(
  initial: Array<{ type: ProviderType; initial: MockHandler }>,
  client: (gateway: TestGateway) => Client,
): UpstreamPerType<Client> {
  let running: { client: Client; upstreams: Map<string, MockUpstream> } | undefined;
  useMockGateway(
    new Map(initial.map((entry) => [entry.type, entry.initial])),
    (urls) => ({
      providers: Object.fromEntries(
        initial.map(({ type }) => [type, providerOfType[type](urls.get(type) as string)]),
      ),
    }),
    (frame) => {
      running = { client: client(frame.gateway), upstreams: frame.upstreams };
    },
  );
  const started = () => {
    if (!running) throw new Error("the suite runs only inside the file's tests");
    return running;
  };
  const upstream = (type: ProviderType) => started().upstreams.get(type) as MockUpstream;
  return {
    get client() {
      return started().client;
    },
    upstream,
    body: (type, index) => requestAt<Record<string, unknown>>(upstream(type), index).body,
  };
}

export interface UpstreamForTest {
  upstream: MockUpstream;
  gateway: TestGateway;
}

/**
 * A gateway over one mock upstream for a single test (the agent client suites, one client run per provider type):
 * the returned function starts them, with `providerOfType`'s provider of `type` answered by `handler`; both stop
 * after the test.
 */
export function useUpstreamPerTest(): (type: ProviderType, handler: MockHandler) => UpstreamForTest {
  let running: UpstreamForTest | undefined;
  afterEach(async () => {
    await running?.gateway.stop();
    await running?.upstream.stop();
    running = undefined;
  });
  return (type, handler) => {
    const upstream = startMock(handler);
    running = {
      upstream,
      gateway: startGateway({ providers: { [type]: providerOfType[type](upstream.url) } }),
    };
    return running;
  };
}
