/**
 * Fuzzing the ECR JSON API with hostile requests (hostile-ecr-requests.ts), at least 10,000 per
 * storage: no answer is a 5xx, every request is answered (or, when cut short, closed) within a bound,
 * and the kept repositories and images are intact, byte for byte, afterwards. The seed is printed on
 * failure; FUZZ_SEED=<seed> replays the run, FUZZ_REQUESTS=<n> sizes it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BerthStorage, type RunningBerth, startBerth } from "../support/berth-server.js";
import { fuzzCount, fuzzSeed, fuzzSummary, runHostileFuzz } from "../support/hostile-fuzz.js";
import { ecrHostileRequests } from "./hostile-ecr-requests.js";
import { type HostileFixture, intactStateProblems, seedHostileFixture } from "./hostile-fixture.js";

const STORAGES: ReadonlyArray<BerthStorage> = ["memory", "postgres", "embedded"];

describe.each(STORAGES)("hostile requests to the ECR API on %s storage", (storage) => {
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
      requests: ecrHostileRequests(fixture, berth.port),
      count: fuzzCount(),
      seed: fuzzSeed(),
      parallel: 4,
      boundMs: 20_000,
    });
    const summary = fuzzSummary(report);
    console.info(`ECR fuzz on ${storage}: ${summary.split("\n")[0]}`);
    expect(report.failures, summary).toEqual([]);
    expect(report.sent, summary).toBeGreaterThanOrEqual(fuzzCount());
    // The fuzz reached the registry, not only the protocol checks.
    expect(report.outcomes["200"] ?? 0, summary).toBeGreaterThan(report.sent / 50);
    expect(await intactStateProblems(berth, fixture), summary).toEqual([]);
  });
});
