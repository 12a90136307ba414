import type { ExpectedStreamVersion } from "../ports/event-store.js";

/** Whether a stream at `version` satisfies an append's expectation (undefined expects nothing). */
export const isExpectedVersion = (expected: ExpectedStreamVersion | undefined, version: number): boolean => {
  switch (expected) {
    case undefined:
    case "ANY":
      return true;
    case "NO_STREAM":
      return version === 0;
    case "STREAM_EXISTS":
      return version > 0;
    default:
      return version === expected;
  }
};
