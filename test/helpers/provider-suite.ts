// The frame of a provider's end-to-end file: one gateway over one mock upstream, and the SDK clients that call it.
import { afterAll, beforeAll, beforeEach } from "bun:test";
import OpenAI from "openai";
import { type GatewayOptions, startGateway, type TestGateway } from "./gateway.ts";
import { type MockHandler, type MockUpstream, startMock } from "../../src/providers/testing.ts";

export interface ProviderSuite {
  upstream: MockUpstream;
  gateway: TestGateway;
  /** The /v1 surface: model is "<provider>/<model>". */
  client: OpenAI;
  /** The per-provider surface (`directPath`), where model is the upstream's own name. */
  direct: OpenAI;
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

/**
 * Starts the gateway and mock before the file's tests and stops them after; before each test the mock forgets
 * what it received and answers with `initial` again. `started` receives the suite once it runs.
 */
export function useProviderSuite(setup: ProviderSuiteSetup, started: (suite: ProviderSuite) => void): void {
  let suite: ProviderSuite | undefined;
  beforeAll(() => {
    const upstream = startMock(setup.initial);
    const gateway = startGateway(setup.gateway(upstream.url));
    const sdk = (baseURL: string, apiKey: string) => new OpenAI({ apiKey, baseURL, maxRetries: 0 });
    suite = {
      upstream,
      gateway,
      client: sdk(`${gateway.url}/v1`, setup.clientKey ?? "sk-client-not-forwarded"),
      direct: sdk(`${gateway.url}${setup.directPath}`, setup.directKey ?? "sk-client-not-forwarded"),
    };
    started(suite);
  });
  afterAll(async () => {
    await suite?.gateway.stop();
    await suite?.upstream.stop();
  });
  beforeEach(() => {
    if (!suite) return;
    suite.upstream.requests.length = 0;
    suite.upstream.handle(setup.initial);
  });
}
