// The mock upstream and fixture loading for the suites outside the provider folders, from the one test-support
// module (src/providers/testing.ts), under the names those suites use.
export {
  fixtureText as fixture,
  jsonlToSSE,
  jsonResponse,
  type MockHandler,
  type MockUpstream,
  type RecordedRequest,
  requestAt,
  type SSEOptions,
  sseEventsOf,
  sseResponse,
  startMock,
} from "../../src/providers/testing.ts";
