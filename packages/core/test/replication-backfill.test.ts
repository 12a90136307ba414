/**
 * Replication backfill in the core: a backfill starts one round to its destination for each image of
 * a covered repository that is neither replicated nor being replicated there (and none elsewhere);
 * its status, progress and results follow those rounds; StopReplicationBackfill stops preparing
 * (STOPPING while started rounds run, then STOPPED); one backfill per destination region at a time.
 */
import {
  type BerthCommand,
  type BerthEvent,
  decide,
  describeReplicationBackfillResults,
  fold,
  type RepositoryName,
  replicationsInProgress,
  type Timestamp,
} from "@berth/core";
import { imageManifestOf, layerBlobOf } from "@berth/testkit";
import { fc, test } from "@fast-check/vitest";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import { app, c, given, registryId } from "./example-registry.js";

const destination = { region: "eu-west-1", registryId };
const elsewhere = "misc/app" as RepositoryName;
const id = "backfill-1";
/** After the example pushes (which all happen at the example time). */
const AT = (1_700_000_000_000 + 60_000) as Timestamp;
const config = layerBlobOf('{"os":"linux"}');

/** Pushes an image per seed (the first pushes into a repository upload the shared config blob). */
const pushes = (repository: RepositoryName, seeds: ReadonlyArray<string>, first = true): BerthCommand[] => [
  ...(first ? c.uploadLayer(repository, config) : []),
  ...seeds.flatMap((seed) => {
    const layer = layerBlobOf(`layer ${seed}`);
    return [...c.uploadLayer(repository, layer), c.putImage(repository, imageManifestOf(config, [layer]))];
  }),
];
const configure: BerthCommand = {
  type: "PutReplicationConfiguration",
  data: {
    registryId,
    region: "us-east-1",
    replicationConfiguration: {
      rules: [
        { destinations: [destination], repositoryFilters: [{ filter: "team", filterType: "PREFIX_MATCH" }] },
      ],
    },
  },
};

/** Appends the events of `command` (which must be accepted) to `events`. */
const then = (events: ReadonlyArray<BerthEvent>, command: BerthCommand): BerthEvent[] => {
  const decided = decide(fold(events), command);
  if (E.isLeft(decided)) throw new Error(`${command.type}: ${decided.left.message}`);
  return [...events, ...decided.right];
};
const start = (backfillId = id, to = destination): BerthCommand => ({
  type: "StartReplicationBackfill",
  data: { registryId, replicationBackfillId: backfillId, destination: to, startedAt: AT },
});
const fill = (repositoryName: RepositoryName, backfillId = id): BerthCommand => ({
  type: "StartBackfillReplications",
  data: { registryId, repositoryName, replicationBackfillId: backfillId, at: AT },
});
const prepare = (backfillId = id): BerthCommand => ({
  type: "PrepareReplicationBackfill",
  data: { registryId, replicationBackfillId: backfillId },
});
const stop: BerthCommand = {
  type: "StopReplicationBackfill",
  data: { registryId, replicationBackfillId: id, stoppedAt: AT },
};
const backfill = (events: ReadonlyArray<BerthEvent>) => {
  const found = describeReplicationBackfillResults(fold(events), { registryId, replicationBackfillId: id });
  if (E.isLeft(found)) throw new Error(found.left.message);
  return found.right;
};
/** Records each backfill round in progress as COMPLETE, or FAILED when `fails` says so. */
const finish = (events: ReadonlyArray<BerthEvent>, fails: (i: number) => boolean) =>
  replicationsInProgress(fold(events)).reduce(
    (acc, r, i) =>
      then(acc, {
        type: "RecordImageReplication",
        data: {
          registryId: r.registryId,
          repositoryName: r.repositoryName,
          imageDigest: r.imageDigest,
          startedAt: r.startedAt,
          destination: r.destination,
          outcome: fails(i) ? { status: "FAILED", failureCode: "BROKEN" } : { status: "COMPLETE" },
        },
      }),
    [...events],
  );

const seedsArb = (prefix: string, max: number) =>
  fc
    .uniqueArray(fc.integer({ min: 0, max: 50 }), { maxLength: max })
    .map((ns) => ns.map((n) => `${prefix}${n}`));

describe("StartReplicationBackfill", () => {
  test.prop([
    seedsArb("old", 4),
    seedsArb("new", 2),
    seedsArb("misc", 3),
    fc.array(fc.boolean(), { maxLength: 6 }),
  ])(
    "rounds for exactly the covered images not yet replicated there; the outcome follows the rounds",
    (before, after, uncovered, failures) => {
      const history = given(
        c.createRepository(app),
        c.createRepository(elsewhere),
        ...pushes(app, before),
        ...pushes(elsewhere, uncovered),
        configure,
        ...pushes(app, after, false),
      );
      const pushRounds = replicationsInProgress(fold(history)).length;
      let events = [app, elsewhere].reduce((acc, name) => then(acc, fill(name)), then(history, start()));
      expect(backfill(events).status).toBe("PREPARING");
      expect(backfill(events).progress).toBeUndefined();
      events = then(events, prepare());
      const rounds = replicationsInProgress(fold(events));
      expect(rounds.length - pushRounds).toBe(before.length);
      expect(rounds.every((r) => r.repositoryName === app)).toBe(true);
      expect(backfill(events).status).toBe(before.length > 0 ? "IN_PROGRESS" : "COMPLETE");
      const failedRounds = rounds.filter((_, i) => failures[i] === true).length;
      events = finish(events, (i) => failures[i] === true);
      const done = backfill(events);
      const failed = done.results?.filter((r) => r.status === "FAILED").length ?? 0;
      expect(done).toMatchObject({ status: "COMPLETE", destination });
      expect(done.progress).toEqual({
        totalReplicationCount: before.length,
        completedReplicationCount: before.length - failed,
        failedReplicationCount: failed,
        failureCodes: failed > 0 ? ["BROKEN"] : [],
      });
      expect(done.results).toHaveLength(before.length);
      // A second backfill retries only what failed (a push's round or the first backfill's).
      const again = then(
        then(then(events, start("backfill-2")), fill(app, "backfill-2")),
        prepare("backfill-2"),
      );
      expect(replicationsInProgress(fold(again))).toHaveLength(failedRounds);
    },
  );

  it("refuses a destination the configuration does not name, and a second backfill to a region in progress", () => {
    const history = given(c.createRepository(app), ...pushes(app, ["a"]), configure);
    const other = start(id, { region: "ap-south-1", registryId });
    const refused = decide(fold(history), other);
    expect(E.isLeft(refused) && refused.left._tag).toBe("InvalidParameterException");
    const started = then(then(then(history, start()), fill(app)), prepare());
    const second = decide(fold(started), start("backfill-2"));
    expect(E.isLeft(second) && second.left._tag).toBe("ReplicationBackfillInProgressException");
  });
});

describe("StopReplicationBackfill", () => {
  const history = given(c.createRepository(app), ...pushes(app, ["a", "b"]), configure);

  it("while preparing: STOPPED at once, and no round starts after it", () => {
    const stopped = then(then(history, start()), stop);
    expect(backfill(stopped)).toMatchObject({ status: "STOPPED", results: [] });
    expect(backfill(stopped).endedAt).toBeDefined();
    const after = then(then(stopped, fill(app)), prepare());
    expect(replicationsInProgress(fold(after))).toEqual([]);
  });

  it("with rounds running: STOPPING until they end, then STOPPED; a stopped backfill cannot be stopped again", () => {
    const running = then(then(then(history, start()), fill(app)), prepare());
    const stopping = then(running, stop);
    expect(backfill(stopping).status).toBe("STOPPING");
    const refused = decide(fold(stopping), stop);
    expect(E.isLeft(refused) && refused.left._tag).toBe("ReplicationBackfillInvalidStatusException");
    const stopped = finish(stopping, () => false);
    expect(backfill(stopped)).toMatchObject({
      status: "STOPPED",
      progress: { completedReplicationCount: 2 },
    });
    const unknown = decide(fold(stopped), { ...stop, data: { ...stop.data, replicationBackfillId: "nope" } });
    expect(E.isLeft(unknown) && unknown.left._tag).toBe("ReplicationBackfillNotFoundException");
  });
});
