/**
 * The hostile fuzz of one API on every storage: a server per storage seeded with the kept state,
 * FUZZ_REQUESTS (10,000) requests from the API's arbitrary, then the checks: no 5xx, no hang, the
 * fuzz reached the registry, the kept state intact. The seed is printed on failure.
 */
import type fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BerthStorage, type RunningBerth, startBerth } from "../support/berth-server.js";
import type { HostileRequest } from "../support/hostile-client.js";
import { fuzzCount, fuzzSeed, fuzzSummary, runHostileFuzz } from "../support/hostile-fuzz.js";
import { type HostileFixture, intactStateProblems, seedHostileFixture } from "./hostile-fixture.js";

const STORAGES: ReadonlyArray<BerthStorage> = ["memory", "postgres", "embedded"];

export const describeHostileFuzz = (
  api: string,
  requestsOf: (fixture: HostileFixture, port: number) => fc.Arbitrary<HostileRequest>,
) =>
  describe.each(STORAGES)(`hostile requests to the ${api} API on %s storage`, (storage) => {
    let berth: RunningBerth;
    let fixture: HostileFixture;
    beforeAll(async () => {
      berth = await startBerth({ storage });
      fixture = await seedHostileFixture(berth);
    });
    afterAll(() => berth?.stop());

    it("answers every one without a 5xx, in time, and leaves the kept state intact", {
      timeout: 240_000,
    }, async () => {
      const report = await runHostileFuzz({
        port: berth.port,
        requests: requestsOf(fixture, berth.port),
        count: fuzzCount(),
        seed: fuzzSeed(),
        parallel: 4,
        boundMs: 20_000,
      });
      const summary = fuzzSummary(report);
      console.info(`${api} fuzz on ${storage}: ${summary.split("\n")[0]}`);
      expect(report.failures, summary).toEqual([]);
      expect(report.sent, summary).toBeGreaterThanOrEqual(fuzzCount());
      // The fuzz reached the registry, not only the protocol checks.
      expect(report.outcomes["200"] ?? 0, summary).toBeGreaterThan(report.sent / 50);
      expect(await intactStateProblems(berth, fixture), summary).toEqual([]);
    });
  });
