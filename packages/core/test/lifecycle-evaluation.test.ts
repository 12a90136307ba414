/**
 * Lifecycle evaluation, as ECR defines it, by property: an image is acted on by at most one rule,
 * and only by the highest-priority rule whose selection matches it; imageCountMoreThan N keeps the
 * newest N; a preview shows exactly what an application does; applying twice changes nothing. And
 * by example: a manifest list holds its manifests, referrers go with their subject.
 */
import {
  type BerthEvent,
  type Digest,
  decide,
  evaluateLifecyclePolicy,
  fold,
  type ImageState,
  type ImageTag,
  imageTags,
  type LifecycleRule,
  parseLifecyclePolicy,
  type RegistryState,
  type RepositoryState,
  type Timestamp,
  tagPatternRegExp,
} from "@berth/core";
import { fc, test } from "@fast-check/vitest";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import { app, ref } from "./example-registry.js";

const DAY = 86_400_000;
const NOW = (60 * DAY) as Timestamp;
const TAGS = ["v1", "v2", "v10", "prod-a", "prod-b", "dev", "latest", "rc1"] as const;

const digestOf = (i: number) => `sha256:${i.toString(16).padStart(64, "0")}` as Digest;

interface ImageSpec {
  readonly pushedDaysAgo: number;
  readonly tags: ReadonlyArray<string>;
  /** A recorded pull, this many days ago (none: never pulled). */
  readonly pulledDaysAgo?: number | null;
  /** Archived this many days ago (none: STANDARD). */
  readonly archivedDaysAgo?: number | null;
  readonly children?: ReadonlyArray<Digest>;
  readonly subject?: Digest;
}

const created: BerthEvent = {
  type: "RepositoryCreated",
  data: {
    ...ref,
    createdAt: 0 as Timestamp,
    imageTagMutability: "MUTABLE",
    imageTagMutabilityExclusionFilters: [],
    scanOnPush: false,
    encryptionType: "AES256",
    tags: [],
  },
};

/** A repository holding `images` (image i has digest i + 1), a policy and what else `more` adds. */
const repositoryEvents = (images: ReadonlyArray<ImageSpec>, policyText?: string): BerthEvent[] => [
  created,
  ...images.flatMap((image, i): BerthEvent[] => [
    {
      type: "ImagePushed",
      data: {
        ...ref,
        imageDigest: digestOf(i + 1),
        imageManifest: `{"n":${i}}`,
        imageManifestMediaType: "application/vnd.oci.image.manifest.v1+json" as never,
        imageSizeInBytes: 10,
        blobs: [],
        children: image.children ?? [],
        ...(image.subject === undefined ? {} : { subject: image.subject }),
        pushedAt: (NOW - image.pushedDaysAgo * DAY) as Timestamp,
      },
    },
    ...image.tags.map(
      (tag): BerthEvent => ({
        type: "ImageTagged",
        data: { ...ref, imageDigest: digestOf(i + 1), imageTag: tag as ImageTag, taggedAt: 0 as Timestamp },
      }),
    ),
    ...(image.pulledDaysAgo === undefined || image.pulledDaysAgo === null
      ? []
      : [
          {
            type: "ImagePullRecorded",
            data: {
              ...ref,
              imageDigest: digestOf(i + 1),
              pulledAt: (NOW - image.pulledDaysAgo * DAY) as Timestamp,
            },
          } as BerthEvent,
        ]),
    ...(image.archivedDaysAgo === undefined || image.archivedDaysAgo === null
      ? []
      : [
          {
            type: "ImageArchived",
            data: {
              ...ref,
              imageDigest: digestOf(i + 1),
              archivedAt: (NOW - image.archivedDaysAgo * DAY) as Timestamp,
            },
          } as BerthEvent,
        ]),
  ]),
  ...(policyText === undefined
    ? []
    : [{ type: "LifecyclePolicySet", data: { ...ref, lifecyclePolicyText: policyText } } as BerthEvent]),
];

const repositoryOf = (state: RegistryState): RepositoryState =>
  state.repositories.get(`${ref.registryId}/${app}`)!;

/** Each tag on at most one image (a later image takes it), as a registry keeps them. */
const imagesArb = fc.array(
  fc.record({
    pushedDaysAgo: fc.integer({ min: 0, max: 40 }),
    tags: fc.uniqueArray(fc.constantFrom(...TAGS), { maxLength: 3 }),
    pulledDaysAgo: fc.option(fc.integer({ min: 0, max: 40 })),
    archivedDaysAgo: fc.option(fc.integer({ min: 0, max: 40 }), { freq: 3 }),
  }),
  { minLength: 1, maxLength: 12 },
);

const selectionArb = fc.oneof(
  fc.record({
    tagStatus: fc.constant("tagged"),
    tagPrefixList: fc.uniqueArray(fc.constantFrom("v", "prod", "d", "latest"), {
      minLength: 1,
      maxLength: 2,
    }),
  }),
  fc.record({
    tagStatus: fc.constant("tagged"),
    tagPatternList: fc.uniqueArray(fc.constantFrom("v*", "*-*", "prod-?", "*1*", "latest"), {
      minLength: 1,
      maxLength: 2,
    }),
  }),
  fc.record({ tagStatus: fc.constant("untagged") }),
);
const countArb = fc.oneof(
  fc.record({ countType: fc.constant("imageCountMoreThan"), countNumber: fc.integer({ min: 1, max: 5 }) }),
  fc.record({
    countType: fc.constant("sinceImagePushed"),
    countUnit: fc.constant("days"),
    countNumber: fc.integer({ min: 1, max: 30 }),
  }),
  fc.record({
    countType: fc.constant("sinceImagePulled"),
    countUnit: fc.constant("days"),
    countNumber: fc.integer({ min: 1, max: 30 }),
  }),
);
/** Rules on archived images: time in the archive, and expiry (the only action they may take). */
const archiveCountArb = fc.record({
  storageClass: fc.constant("archive"),
  countType: fc.constant("sinceImageTransitioned"),
  countUnit: fc.constant("days"),
  countNumber: fc.integer({ min: 1, max: 30 }),
});
const actionArb = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ type: "expire" }) },
  { weight: 1, arbitrary: fc.constant({ type: "transition", targetStorageClass: "archive" }) },
);

/** Valid policies: distinct priorities with gaps, one untagged rule at most, an `any` rule last if any. */
const policyArb = fc
  .tuple(
    fc.array(
      fc.oneof(
        { weight: 3, arbitrary: fc.tuple(selectionArb, countArb, actionArb) },
        { weight: 1, arbitrary: fc.tuple(selectionArb, archiveCountArb, fc.constant({ type: "expire" })) },
      ),
      { minLength: 1, maxLength: 4 },
    ),
    fc.option(fc.tuple(countArb, actionArb)),
    fc.uniqueArray(fc.integer({ min: 1, max: 50 }), { minLength: 5, maxLength: 5 }),
  )
  .map(([rules, anyRule, priorities]) => {
    let untagged = false;
    const kept = rules.filter(([selection]) => {
      if (selection.tagStatus !== "untagged") return true;
      if (untagged) return false;
      untagged = true;
      return true;
    });
    const sorted = [...priorities].sort((a, b) => a - b);
    const all = [
      ...kept.map(([selection, count, action], i) => ({
        rulePriority: sorted[i]!,
        selection: { ...selection, ...count },
        action,
      })),
      ...(anyRule === null
        ? []
        : [
            {
              rulePriority: sorted[4]! + 1,
              selection: { tagStatus: "any", ...anyRule[0] },
              action: anyRule[1],
            },
          ]),
    ];
    return all;
  })
  // Rules may come in any order: the policy sorts them by priority.
  .chain((all) => fc.shuffledSubarray(all, { minLength: all.length }))
  .map((rules) => JSON.stringify({ rules }));

const parse = (text: string) => {
  const parsed = parseLifecyclePolicy(text);
  if (E.isLeft(parsed)) throw new Error(parsed.left);
  return parsed.right;
};

/** The test's own reading of a selection: storage class, tag status and tag lists. */
const selects = (rule: LifecycleRule, image: ImageState): boolean => {
  const s = rule.selection;
  const tags = imageTags(image);
  if (s.storageClass !== (image.storageClass === "ARCHIVE" ? "archive" : "standard")) return false;
  if (s.tagStatus === "any") return true;
  if (s.tagStatus === "untagged") return tags.length === 0;
  const prefixes = (s.tagPrefixList ?? []).every((p) => [...tags].some((t) => t.startsWith(p)));
  const patterns = (s.tagPatternList ?? []).every((p) => [...tags].some((t) => tagPatternRegExp(p).test(t)));
  return tags.length > 0 && prefixes && patterns;
};

describe("lifecycle evaluation: properties", () => {
  test.prop([imagesArb, policyArb])(
    "each image is acted on by at most one rule: the highest-priority rule that selects it",
    (images, text) => {
      const repository = repositoryOf(fold(repositoryEvents(images)));
      const policy = parse(text);
      const outcomes = evaluateLifecyclePolicy(repository, policy, NOW);
      expect(new Set(outcomes.map((o) => o.imageDigest)).size).toBe(outcomes.length);
      for (const outcome of outcomes) {
        const image = repository.images.get(outcome.imageDigest)!;
        const first = policy.rules.find((rule) => selects(rule, image));
        // A higher-priority match protects the image from every lower rule, even when it kept it.
        expect(first?.rulePriority).toBe(outcome.appliedRulePriority);
      }
    },
  );

  test.prop([imagesArb, fc.integer({ min: 1, max: 6 })])(
    "imageCountMoreThan N keeps exactly the newest N images by push time; older go first",
    (images, n) => {
      const repository = repositoryOf(fold(repositoryEvents(images)));
      const text = JSON.stringify({
        rules: [
          {
            rulePriority: 1,
            selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: n },
            action: { type: "expire" },
          },
        ],
      });
      const outcomes = evaluateLifecyclePolicy(repository, parse(text), NOW);
      // The rule selects STANDARD images only: archived ones are neither counted nor expired.
      const newestFirst = [...repository.images.values()]
        .filter((image) => image.storageClass === "STANDARD")
        .sort((a, b) => b.pushedAt - a.pushedAt || b.seq - a.seq);
      const expired = new Set(outcomes.map((o) => o.imageDigest));
      expect(newestFirst.filter((image) => !expired.has(image.digest)).map((i) => i.digest)).toEqual(
        newestFirst.slice(0, n).map((i) => i.digest),
      );
      const pushTimes = outcomes.map((o) => o.imagePushedAt);
      expect(pushTimes).toEqual([...pushTimes].sort((a, b) => a - b));
    },
  );

  test.prop([imagesArb, policyArb])(
    "a preview names exactly what an application expires and archives; applying twice changes nothing",
    (images, text) => {
      const state = fold(repositoryEvents(images, text));
      const preview = decide(state, { type: "StartLifecyclePolicyPreview", data: { ...ref, now: NOW } });
      const applied = decide(state, { type: "ApplyLifecyclePolicy", data: { ...ref, now: NOW } });
      if (E.isLeft(preview) || E.isLeft(applied)) throw new Error("refused");
      const previewed = preview.right.flatMap((event) =>
        event.type === "LifecyclePolicyPreviewCompleted"
          ? event.data.results.map((r) => [r.imageDigest, r.appliedRulePriority, r.action.type])
          : [],
      );
      const done = applied.right.flatMap((event) =>
        event.type === "ImageExpired"
          ? [[event.data.imageDigest, event.data.rulePriority, "expire"]]
          : event.type === "ImageTransitioned"
            ? [[event.data.imageDigest, event.data.rulePriority, "transition"]]
            : [],
      );
      expect(done).toEqual(previewed);

      const after = fold(applied.right, state);
      for (const [digest, , action] of done) {
        const image = repositoryOf(after).images.get(digest as Digest);
        if (action === "expire") expect(image).toBeUndefined();
        else expect(image).toMatchObject({ storageClass: "ARCHIVE", lastArchivedAt: NOW });
      }
      const again = decide(after, { type: "ApplyLifecyclePolicy", data: { ...ref, now: NOW } });
      expect(E.isRight(again) && again.right.map((event) => event.type)).toEqual([
        "LifecyclePolicyEvaluated",
      ]);
    },
  );
});

describe("lifecycle evaluation: manifest lists and referrers", () => {
  const keepNone = JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        selection: {
          tagStatus: "untagged",
          countType: "sinceImagePushed",
          countUnit: "days",
          countNumber: 1,
        },
        action: { type: "expire" },
      },
    ],
  });

  it("a manifest referenced by a list stays while the list stays, and goes with it", () => {
    // Image 1 is an untagged manifest held by index 2; index 2 is tagged (kept), then untagged.
    const images = [
      { pushedDaysAgo: 10, tags: [] },
      { pushedDaysAgo: 9, tags: ["v1"], children: [digestOf(1)] },
    ];
    const kept = repositoryOf(fold(repositoryEvents(images)));
    expect(evaluateLifecyclePolicy(kept, parse(keepNone), NOW)).toEqual([]);
    const released = repositoryOf(fold(repositoryEvents([images[0]!, { ...images[1]!, tags: [] }])));
    expect(evaluateLifecyclePolicy(released, parse(keepNone), NOW).map((o) => o.imageDigest)).toEqual([
      digestOf(1),
      digestOf(2),
    ]);
  });

  it("a referrer is no candidate of its own and goes when its subject goes, under the subject's rule", () => {
    const images = [
      { pushedDaysAgo: 10, tags: ["v1"] },
      { pushedDaysAgo: 0, tags: [], subject: digestOf(1) },
    ];
    const repository = repositoryOf(fold(repositoryEvents(images)));
    expect(evaluateLifecyclePolicy(repository, parse(keepNone), NOW)).toEqual([]);
    const expireTagged = JSON.stringify({
      rules: [
        {
          rulePriority: 3,
          selection: {
            tagStatus: "tagged",
            tagPrefixList: ["v"],
            countType: "sinceImagePushed",
            countUnit: "days",
            countNumber: 5,
          },
          action: { type: "expire" },
        },
      ],
    });
    expect(
      evaluateLifecyclePolicy(repository, parse(expireTagged), NOW).map((o) => [
        o.imageDigest,
        o.appliedRulePriority,
      ]),
    ).toEqual([
      [digestOf(1), 3],
      [digestOf(2), 3],
    ]);
  });
});

describe("lifecycle evaluation: pull times and the archive", () => {
  const rule = (rulePriority: number, selection: object, action: object) => ({
    rulePriority,
    selection: { tagStatus: "any", countUnit: "days", ...selection },
    action,
  });

  it("sinceImagePulled counts from the recorded pull, from the push for an image never pulled", () => {
    const images = [
      { pushedDaysAgo: 30, tags: ["v1"], pulledDaysAgo: 2 },
      { pushedDaysAgo: 30, tags: ["v2"], pulledDaysAgo: 20 },
      { pushedDaysAgo: 30, tags: ["v10"] },
      { pushedDaysAgo: 5, tags: ["dev"] },
    ];
    const text = JSON.stringify({
      rules: [rule(1, { countType: "sinceImagePulled", countNumber: 10 }, { type: "expire" })],
    });
    const outcomes = evaluateLifecyclePolicy(repositoryOf(fold(repositoryEvents(images))), parse(text), NOW);
    expect(outcomes.map((o) => o.imageDigest)).toEqual([digestOf(2), digestOf(3)]);
  });

  it("a transition archives the image with an event naming its rule; sinceImageTransitioned expires it later", () => {
    const images = [
      { pushedDaysAgo: 30, tags: ["v1"] },
      { pushedDaysAgo: 1, tags: ["v2"] },
    ];
    const text = JSON.stringify({
      rules: [
        rule(
          1,
          { tagStatus: "tagged", tagPrefixList: ["v"], countType: "sinceImagePushed", countNumber: 7 },
          { type: "transition", targetStorageClass: "archive" },
        ),
        rule(
          2,
          { storageClass: "archive", countType: "sinceImageTransitioned", countNumber: 90 },
          { type: "expire" },
        ),
      ],
    });
    const state = fold(repositoryEvents(images, text));
    const applied = decide(state, { type: "ApplyLifecyclePolicy", data: { ...ref, now: NOW } });
    expect(E.isRight(applied) && applied.right[0]).toEqual({
      type: "ImageTransitioned",
      data: {
        ...ref,
        imageDigest: digestOf(1),
        rulePriority: 1,
        targetStorageClass: "archive",
        transitionedAt: NOW,
      },
    });
    const archived = fold(E.isRight(applied) ? applied.right : [], state);
    const image = repositoryOf(archived).images.get(digestOf(1));
    expect(image).toMatchObject({ storageClass: "ARCHIVE", lastArchivedAt: NOW });
    // In the archive, only the archive rule selects it: 89 days later nothing, 91 days later it expires.
    const later = (days: number) =>
      evaluateLifecyclePolicy(repositoryOf(archived), parse(text), (NOW + days * DAY) as Timestamp).map(
        (o) => [o.imageDigest, o.appliedRulePriority, o.action.type, o.storageClass],
      );
    expect(later(89).filter(([digest]) => digest === digestOf(1))).toEqual([]);
    expect(later(91).filter(([digest]) => digest === digestOf(1))).toEqual([
      [digestOf(1), 2, "expire", "archive"],
    ]);
  });
});
