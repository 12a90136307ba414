/**
 * What a lifecycle policy does to a repository now: a pure function of the repository's state, the
 * policy and `now`, with ECR's semantics.
 * - Every rule is evaluated against the whole repository (counts include images other rules
 *   select); then the rules are applied in priority order: an image is acted on only by the
 *   highest-priority rule whose selection matches it, and only if that rule marked it. An image a
 *   higher-priority rule selects is never acted on by a lower one, even when the higher rule kept it.
 * - imageCountMoreThan N keeps the newest N selected images by push time and marks the rest;
 *   sinceImage… N days marks the images older than N days.
 * - An image referenced by a manifest list stays while the list stays; a referrer artifact (an
 *   image whose subject is in the repository) is not a candidate itself and goes with its subject.
 * Preview and application both read this, so a preview shows exactly what an application does.
 *
 * Storage classes and times: a rule selects images of its `storageClass` only (an archived image is
 * `archive`); `sinceImagePulled` counts from the last recorded pull, or from the push for an image
 * never pulled (ECR's documented fallback); `sinceImageTransitioned` from when the image was last
 * archived. A `transition` outcome archives the image; an `expire` outcome removes it.
 */

import { imageTags, tagCount } from "../images/image-tags.js";
import type { ImageState, LifecycleOutcome, RepositoryState } from "../kernel/registry-state.js";
import type { Digest, ImageTag, Timestamp } from "../values/primitives.js";
import {
  type LifecyclePolicy,
  type LifecycleRule,
  type RuleAction,
  type RuleStorageClass,
  tagPatternRegExp,
} from "./lifecycle-policy.js";

const DAY_MS = 86_400_000;

export type { LifecycleOutcome } from "../kernel/registry-state.js";

const storageClassOf = (image: ImageState): RuleStorageClass =>
  image.storageClass === "ARCHIVE" ? "archive" : "standard";
/** An image never pulled counts as last pulled when it was pushed (ECR's fallback). */
const lastPulledAt = (image: ImageState): number => image.lastPulledAt ?? image.pushedAt;
/** Only archived images are selected by `sinceImageTransitioned` rules, and they all carry the time. */
const lastTransitionedAt = (image: ImageState): number => image.lastArchivedAt ?? image.pushedAt;

const tagsMatch = (tags: ReadonlyArray<ImageTag>, matches: ReadonlyArray<(tag: string) => boolean>) =>
  matches.every((match) => tags.some(match));

/** Whether a rule's selection (tag status, tags, storage class) takes in an image. */
const selectorOf = (rule: LifecycleRule) => {
  const { tagStatus, tagPrefixList, tagPatternList, storageClass } = rule.selection;
  const matchers = [
    ...(tagPrefixList ?? []).map((prefix) => (tag: string) => tag.startsWith(prefix)),
    ...(tagPatternList ?? []).map((pattern) => {
      const regExp = tagPatternRegExp(pattern);
      return (tag: string) => regExp.test(tag);
    }),
  ];
  return (image: ImageState): boolean => {
    if (storageClassOf(image) !== storageClass) return false;
    switch (tagStatus) {
      case "any":
        return true;
      case "untagged":
        return tagCount(image) === 0;
      case "tagged":
        return tagCount(image) > 0 && tagsMatch(imageTags(image), matchers);
    }
  };
};

/** The images a rule marks among those it selects (newest first). */
const markedBy = (rule: LifecycleRule, selected: ReadonlyArray<ImageState>, now: number): Set<Digest> => {
  const { countType, countNumber } = rule.selection;
  const olderThan = (at: (image: ImageState) => number) =>
    selected.filter((image) => now - at(image) > countNumber * DAY_MS);
  switch (countType) {
    case "imageCountMoreThan":
      return new Set(selected.slice(countNumber).map((image) => image.digest));
    case "sinceImagePushed":
      return new Set(olderThan((image) => image.pushedAt).map((image) => image.digest));
    case "sinceImagePulled":
      return new Set(olderThan(lastPulledAt).map((image) => image.digest));
    case "sinceImageTransitioned":
      return new Set(olderThan(lastTransitionedAt).map((image) => image.digest));
  }
};

const newestFirst = (a: ImageState, b: ImageState) => b.pushedAt - a.pushedAt || b.seq - a.seq;

/** Images that are the OCI referrers of another image of the repository: they follow their subject. */
const isReferrer = (repository: RepositoryState, image: ImageState) =>
  image.subject !== undefined && repository.images.has(image.subject);

/** Indexes referencing each manifest. */
const parentsOf = (repository: RepositoryState): Map<Digest, Digest[]> => {
  const parents = new Map<Digest, Digest[]>();
  for (const image of repository.images.values()) {
    for (const child of image.children ?? [])
      parents.set(child, [...(parents.get(child) ?? []), image.digest]);
  }
  return parents;
};

/** Each candidate's acting rule, when that rule marked it: the rules' verdicts applied in priority order. */
const verdicts = (repository: RepositoryState, policy: LifecyclePolicy, now: number) => {
  const candidates = [...repository.images.values()]
    .filter((image) => !isReferrer(repository, image))
    .sort(newestFirst);
  const rules = policy.rules.map((rule) => {
    const selects = selectorOf(rule);
    const selected = candidates.filter(selects);
    return { rule, selects, marked: markedBy(rule, selected, now) };
  });
  const acted = new Map<Digest, LifecycleRule>();
  for (const image of candidates) {
    const acting = rules.find(({ selects }) => selects(image));
    if (acting?.marked.has(image.digest)) acted.set(image.digest, acting.rule);
  }
  return acted;
};

/**
 * What the policy does now, oldest image first. Images held by a manifest list that stays, and
 * referrers of expiring images, are settled by a fixpoint: a list that expires releases its
 * manifests, an expiring subject takes its referrers.
 */
export const evaluateLifecyclePolicy = (
  repository: RepositoryState,
  policy: LifecyclePolicy,
  now: Timestamp,
): ReadonlyArray<LifecycleOutcome> => {
  const acted = verdicts(repository, policy, now);
  const parents = parentsOf(repository);
  const decided = new Map<Digest, { readonly rulePriority: number; readonly action: RuleAction }>();
  const expiring = new Set<Digest>();
  const decide = (digest: Digest, rulePriority: number, action: RuleAction) => {
    decided.set(digest, { rulePriority, action });
    if (action.type === "expire") expiring.add(digest);
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (const [digest, rule] of acted) {
      if (decided.has(digest)) continue;
      if ((parents.get(digest) ?? []).every((parent) => expiring.has(parent))) {
        decide(digest, rule.rulePriority, rule.action);
        changed = true;
      }
    }
    for (const subject of [...expiring]) {
      for (const referrer of repository.referrers.get(subject) ?? []) {
        if (expiring.has(referrer)) continue;
        decide(referrer, decided.get(subject)!.rulePriority, { type: "expire" });
        changed = true;
      }
    }
  }
  return [...decided]
    .map(([digest, verdict]) => ({ image: repository.images.get(digest)!, ...verdict }))
    .sort((a, b) => -newestFirst(a.image, b.image))
    .map(({ image, rulePriority, action }) => ({
      imageDigest: image.digest,
      imageTags: [...imageTags(image)].sort(),
      imagePushedAt: image.pushedAt,
      storageClass: storageClassOf(image),
      appliedRulePriority: rulePriority,
      action,
    }));
};
