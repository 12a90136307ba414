/**
 * Pull times and the archive storage class: a pull is recorded at most once per image per day;
 * an archived image is listed (with `filter.imageStatus` ARCHIVED or ANY) but cannot be pulled
 * until it is restored; UpdateImageStorageClass can be repeated.
 */
import {
  type BerthEvent,
  batchGetImage,
  type Digest,
  decide,
  describeImages,
  evolve,
  fold,
  type ImageStatusFilter,
  listImages,
  PULL_RECORD_INTERVAL_MS,
  pullsToRecord,
  type RegistryState,
  type RepositoryName,
  type Timestamp,
} from "@berth/core";
import { fc, test } from "@fast-check/vitest";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import { ref } from "./example-registry.js";

const HOUR = 3_600_000;
const T0 = 1_700_000_000_000 as Timestamp;
const digestOf = (i: number) => `sha256:${i.toString(16).padStart(64, "0")}` as Digest;

/** A repository with `count` images (digests 1…count), image i tagged `v<i>`. */
const repositoryWith = (count: number): BerthEvent[] => [
  {
    type: "RepositoryCreated",
    data: {
      ...ref,
      createdAt: T0,
      imageTagMutability: "MUTABLE",
      imageTagMutabilityExclusionFilters: [],
      scanOnPush: false,
      encryptionType: "AES256",
      tags: [],
    },
  },
  ...Array.from({ length: count }, (_, i): BerthEvent[] => [
    {
      type: "ImagePushed",
      data: {
        ...ref,
        imageDigest: digestOf(i + 1),
        imageManifest: `{"n":${i}}`,
        imageManifestMediaType: "application/vnd.oci.image.manifest.v1+json" as never,
        imageTag: `v${i + 1}` as never,
        imageSizeInBytes: 10,
        blobs: [],
        children: [],
        pushedAt: T0,
      },
    },
  ]).flat(),
];

/** Decides `command` on `state` (it must be accepted) and folds its events. */
const run = (state: RegistryState, command: Parameters<typeof decide>[1]) => {
  const decided = decide(state, command);
  if (E.isLeft(decided)) throw new Error(decided.left.message);
  return { events: decided.right, state: fold(decided.right, state) };
};

const updateStorageClass = (imageDigest: Digest, targetStorageClass: "ARCHIVE" | "STANDARD", now: number) =>
  ({
    type: "UpdateImageStorageClass",
    data: { ...ref, imageId: { imageDigest }, targetStorageClass, now: now as Timestamp },
  }) as const;

/** RecordImagePulls of the digests of each named repository of `ref`'s registry. */
const recordPulls = (
  pulls: ReadonlyArray<readonly [RepositoryName, ReadonlyArray<Digest>]>,
  pulledAt: Timestamp,
  principalArn?: string,
) =>
  ({
    type: "RecordImagePulls",
    data: {
      registryId: ref.registryId,
      pulls: pulls.map(([repositoryName, imageDigests]) => ({ repositoryName, imageDigests })),
      pulledAt,
      ...(principalArn === undefined ? {} : { principalArn }),
    },
  }) as const;

describe("pull times", () => {
  const pullsArb = fc.array(
    fc.record({
      images: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 4 }),
      hoursLater: fc.integer({ min: 0, max: 30 }),
    }),
    { maxLength: 25 },
  );

  test.prop([pullsArb])(
    "a pull is recorded iff the image's recorded pull is missing or a day old: at most one per image per day",
    (pulls) => {
      let state = fold(repositoryWith(3));
      let at = T0;
      const recorded = new Map<Digest, number[]>();
      for (const pull of pulls) {
        at = (at + pull.hoursLater * HOUR) as Timestamp;
        const imageDigests = pull.images.map(digestOf);
        const expected = [...new Set(imageDigests)].filter((digest) => {
          const last = recorded.get(digest)?.at(-1);
          return last === undefined || at - last >= PULL_RECORD_INTERVAL_MS;
        });
        expect(pullsToRecord(state, { ...ref, imageDigests, pulledAt: at })).toEqual(expected);
        const step = run(state, recordPulls([[ref.repositoryName, imageDigests]], at));
        expect(
          step.events.flatMap((event) =>
            event.type === "ImagePullsRecorded"
              ? event.data.pulls.flatMap((pulls) => pulls.imageDigests)
              : [],
          ),
        ).toEqual(expected);
        expect(step.events).toHaveLength(expected.length === 0 ? 0 : 1);
        for (const digest of expected) recorded.set(digest, [...(recorded.get(digest) ?? []), at]);
        state = step.state;
      }
      for (const times of recorded.values()) {
        for (let i = 1; i < times.length; i++) {
          expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(PULL_RECORD_INTERVAL_MS);
        }
      }
      const details = describeImages(state, { ...ref, filter: { imageStatus: "ANY" } });
      expect(E.isRight(details) && details.right.imageDetails.map((d) => d.lastRecordedPullTime)).toEqual(
        [1, 2, 3].map((i) => recorded.get(digestOf(i))?.at(-1)),
      );
    },
  );

  it("records nothing for a principal of the registry's pull-time update exclusions", () => {
    const ci = `arn:aws:iam::${ref.registryId}:role/ci`;
    const { state: excluded } = run(fold(repositoryWith(1)), {
      type: "RegisterPullTimeUpdateExclusion",
      data: { registryId: ref.registryId, principalArn: ci, createdAt: T0 },
    });
    const pulls = { ...ref, imageDigests: [digestOf(1)], pulledAt: T0 };
    expect(pullsToRecord(excluded, { ...pulls, principalArn: ci })).toEqual([]);
    // A session of the excluded role is the role; another principal, or none, is recorded.
    const session = `arn:aws:sts::${ref.registryId}:assumed-role/ci/build-42`;
    expect(pullsToRecord(excluded, { ...pulls, principalArn: session })).toEqual([]);
    expect(decide(excluded, recordPulls([[ref.repositoryName, pulls.imageDigests]], T0, ci))).toEqual(
      E.right([]),
    );
    const other = `arn:aws:iam::${ref.registryId}:user/dev`;
    expect(pullsToRecord(excluded, { ...pulls, principalArn: other })).toEqual([digestOf(1)]);
    expect(pullsToRecord(excluded, pulls)).toEqual([digestOf(1)]);
  });

  it("records the pulls of many repositories in one event, leaving out what is not due or gone", () => {
    const other = "team/other" as RepositoryName;
    const inOther = repositoryWith(2).map((event) => ({
      ...event,
      data: { ...event.data, repositoryName: other },
    }));
    let state = fold([...repositoryWith(2), ...inOther] as BerthEvent[]);
    state = run(state, recordPulls([[other, [digestOf(2)]]], T0)).state;
    const later = (T0 + HOUR) as Timestamp;
    const gone = "team/gone" as RepositoryName;
    const step = run(
      state,
      recordPulls(
        [
          [ref.repositoryName, [digestOf(1), digestOf(9), digestOf(1)]],
          [other, [digestOf(1), digestOf(2)]],
          [gone, [digestOf(1)]],
        ],
        later,
      ),
    );
    expect(step.events).toEqual([
      {
        type: "ImagePullsRecorded",
        data: {
          registryId: ref.registryId,
          pulls: [
            { repositoryName: ref.repositoryName, imageDigests: [digestOf(1)] },
            { repositoryName: other, imageDigests: [digestOf(1)] },
          ],
          pulledAt: later,
        },
      },
    ]);
    const pulledAt = (repositoryName: RepositoryName) => {
      const details = describeImages(step.state, { ...ref, repositoryName });
      return E.isRight(details)
        ? details.right.imageDetails.map((d) => d.lastRecordedPullTime)
        : details.left;
    };
    expect(pulledAt(ref.repositoryName)).toEqual([later, undefined]);
    expect(pulledAt(other)).toEqual([later, T0]);
    // evolve reaches the same state and leaves the one it started from as it was.
    const before = structuredClone(state);
    expect(evolve(state, step.events[0]!)).toEqual(step.state);
    expect(state).toEqual(before);
  });

  it("records nothing for images or repositories that are gone", () => {
    const state = fold(repositoryWith(1));
    const pulls = { ...ref, imageDigests: [digestOf(9)], pulledAt: T0 };
    expect(pullsToRecord(state, pulls)).toEqual([]);
    expect(decide(state, recordPulls([[ref.repositoryName, pulls.imageDigests]], T0))).toEqual(E.right([]));
    expect(pullsToRecord(fold([]), { ...pulls, imageDigests: [digestOf(1)] })).toEqual([]);
  });
});

describe("the archive storage class", () => {
  const describeWith = (state: RegistryState, imageStatus?: ImageStatusFilter) =>
    describeImages(state, { ...ref, ...(imageStatus === undefined ? {} : { filter: { imageStatus } }) });
  const digestsOf = (answer: ReturnType<typeof describeWith>) =>
    E.isRight(answer) ? answer.right.imageDetails.map((detail) => detail.imageDigest) : answer.left;

  it("an archived image is listed with ARCHIVED or ANY, not by default, and cannot be pulled", () => {
    const archivedAt = T0 + HOUR;
    const { events, state } = run(
      fold(repositoryWith(2)),
      updateStorageClass(digestOf(1), "ARCHIVE", archivedAt),
    );
    expect(events).toEqual([
      { type: "ImageArchived", data: { ...ref, imageDigest: digestOf(1), archivedAt } },
    ]);
    expect(digestsOf(describeWith(state))).toEqual([digestOf(2)]);
    expect(digestsOf(describeWith(state, "ACTIVE"))).toEqual([digestOf(2)]);
    expect(digestsOf(describeWith(state, "ARCHIVED"))).toEqual([digestOf(1)]);
    expect(digestsOf(describeWith(state, "ACTIVATING"))).toEqual([]);
    expect(digestsOf(describeWith(state, "ANY"))).toEqual([digestOf(1), digestOf(2)]);
    const archived = describeWith(state, "ARCHIVED");
    expect(E.isRight(archived) && archived.right.imageDetails[0]).toMatchObject({
      imageStatus: "ARCHIVED",
      lastArchivedAt: archivedAt,
    });
    // Asked for by id, an image is described whatever its status.
    const byId = describeImages(state, { ...ref, imageIds: [{ imageTag: "v1" }] });
    expect(E.isRight(byId) && byId.right.imageDetails[0]?.imageStatus).toBe("ARCHIVED");
    expect(listImages(state, { ...ref, filter: { imageStatus: "ARCHIVED" } })).toEqual(
      E.right({ imageIds: [{ imageDigest: digestOf(1), imageTag: "v1" }] }),
    );
    expect(listImages(state, ref)).toEqual(
      E.right({ imageIds: [{ imageDigest: digestOf(2), imageTag: "v2" }] }),
    );

    const pulled = batchGetImage(state, { ...ref, imageIds: [{ imageTag: "v1" }, { imageTag: "v2" }] });
    expect(E.isRight(pulled) && pulled.right.images.map((image) => image.imageId.imageDigest)).toEqual([
      digestOf(2),
    ]);
    expect(E.isRight(pulled) && pulled.right.failures).toEqual([
      {
        imageId: { imageTag: "v1" },
        failureCode: "ImageInaccessible",
        failureReason: expect.stringContaining("archived"),
      },
    ]);
  });

  it("a restored image is ACTIVE at once and pullable again; repeating an update records nothing", () => {
    // An image never archived holds no storage class (STANDARD): restoring it records nothing.
    expect(run(fold(repositoryWith(1)), updateStorageClass(digestOf(1), "STANDARD", T0)).events).toEqual([]);
    const archived = run(
      fold(repositoryWith(1)),
      updateStorageClass(digestOf(1), "ARCHIVE", T0 + HOUR),
    ).state;
    expect(run(archived, updateStorageClass(digestOf(1), "ARCHIVE", T0 + 2 * HOUR)).events).toEqual([]);
    const restored = run(archived, updateStorageClass(digestOf(1), "STANDARD", T0 + 3 * HOUR));
    expect(restored.events.map((event) => event.type)).toEqual(["ImageActivated"]);
    const detail = describeWith(restored.state);
    expect(E.isRight(detail) && detail.right.imageDetails[0]).toMatchObject({
      imageStatus: "ACTIVE",
      lastArchivedAt: T0 + HOUR,
      lastActivatedAt: T0 + 3 * HOUR,
    });
    const pulled = batchGetImage(restored.state, { ...ref, imageIds: [{ imageDigest: digestOf(1) }] });
    expect(E.isRight(pulled) && pulled.right.images).toHaveLength(1);
    expect(run(restored.state, updateStorageClass(digestOf(1), "STANDARD", T0 + 4 * HOUR)).events).toEqual(
      [],
    );
  });

  it("refuses an image that does not exist, and an id that names none", () => {
    const state = fold(repositoryWith(1));
    const missing = decide(state, updateStorageClass(digestOf(7), "ARCHIVE", T0));
    expect(E.isLeft(missing) && missing.left).toEqual({
      _tag: "ImageNotFoundException",
      message: expect.stringContaining(`imageDigest:'${digestOf(7)}'`),
    });
    const noId = decide(state, {
      type: "UpdateImageStorageClass",
      data: { ...ref, imageId: {}, targetStorageClass: "ARCHIVE", now: T0 },
    });
    expect(E.isLeft(noId) && noId.left._tag).toBe("InvalidParameterException");
  });

  test.prop([fc.array(fc.boolean(), { minLength: 1, maxLength: 8 })])(
    "ACTIVE, ARCHIVED and ANY list exactly the images of that status, in push order",
    (archivedFlags) => {
      let state = fold(repositoryWith(archivedFlags.length));
      archivedFlags.forEach((archived, i) => {
        if (archived) state = run(state, updateStorageClass(digestOf(i + 1), "ARCHIVE", T0)).state;
      });
      const all = archivedFlags.map((_, i) => digestOf(i + 1));
      expect(digestsOf(describeWith(state, "ANY"))).toEqual(all);
      expect(digestsOf(describeWith(state, "ARCHIVED"))).toEqual(all.filter((_, i) => archivedFlags[i]));
      expect(digestsOf(describeWith(state))).toEqual(all.filter((_, i) => !archivedFlags[i]));
    },
  );
});
