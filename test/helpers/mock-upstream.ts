// The mock upstream and fixture loading for the suites outside the provider folders, from the one test-support
// module (src/providers/testing.ts), under the names those suites use.
import {
  fixtureSse,
  fixtureText,
  jsonResponse,
  type ProviderFolder,
  sseEventsOf,
  sseResponse,
} from "../../src/providers/testing.ts";

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

/** A provider folder's recordings as a mock upstream replays them. */
export function recordingsOf(folder: ProviderFolder) {
  return {
    text: (name: string): string => fixtureText(folder, name),
    json: (name: string): Response => jsonResponse(fixtureText(folder, name)),
    /**
     * A recorded stream replayed event by event: a .sse as recorded, byte for byte (trailing spaces, pings and all);
     * another form with each recorded event as one `data:` event, separated by `separator` (fixtureSse).
     */
    sse: (name: string, separator?: string): Response =>
      sseResponse(sseEventsOf(fixtureSse(folder, name, separator))),
  };
}

/** Mock handlers that answer with a recording (`recordingsOf`'s answers as thunks, for a table of handlers). */
export const replay = {
  json: (folder: ProviderFolder, name: string) => (): Response => recordingsOf(folder).json(name),
  sse: (folder: ProviderFolder, name: string, separator?: string) => (): Response =>
    recordingsOf(folder).sse(name, separator),
};
