/**
 * How image events change the state: the images, the tag → image map, push order, and the counts of
 * references (blobs, child manifests, subjects) that deletion and garbage collection rely on.
 */
import {
  type ImageDraft,
  type PushOrderDraft,
  type RepositoryDraft,
  repositoryStep,
} from "../kernel/registry-state.js";
import type { EvolveTable } from "../kernel/slice.js";
import type { Digest, ImageTag } from "../values/primitives.js";
import type { ImageEvent } from "./image-events.js";
import { imageTags, withoutTag, withTag } from "./image-tags.js";
import { referrerFacts } from "./referrer-facts.js";
import { NO_DIGESTS, NO_TAGS, sharedDigests, sharedMediaType } from "./shared-values.js";

const increment = <K>(counts: Map<K, number>, key: K) => counts.set(key, (counts.get(key) ?? 0) + 1);
const decrement = <K>(counts: Map<K, number>, key: K) => {
  const n = (counts.get(key) ?? 0) - 1;
  if (n > 0) counts.set(key, n);
  else counts.delete(key);
};

/** Drops the slots of deleted images once they outnumber the live ones (amortized O(1) per delete). */
const compactPushOrder = (order: PushOrderDraft, images: ReadonlyMap<string, ImageDraft>) => {
  if (order.dead < 64 || order.dead * 2 < order.seqs.length) return;
  const seqs: number[] = [];
  const digests: PushOrderDraft["digests"] = [];
  order.seqs.forEach((seq, i) => {
    const digest = order.digests[i]!;
    if (images.get(digest)?.seq === seq) {
      seqs.push(seq);
      digests.push(digest);
    }
  });
  order.seqs = seqs;
  order.digests = digests;
  order.dead = 0;
};

const untag = (repository: RepositoryDraft, tag: ImageTag) => {
  const holder = repository.tags.get(tag);
  const image = holder === undefined ? undefined : repository.images.get(holder);
  if (image !== undefined) image.tagged = withoutTag(image, tag);
  repository.tags.delete(tag);
};

/** Moves `tag` to `image`, from whichever image held it. */
const tagImage = (repository: RepositoryDraft, image: ImageDraft, tag: ImageTag) => {
  untag(repository, tag);
  image.tagged = withTag(image, tag);
  repository.tags.set(tag, image.digest);
};

/** Removes an image and its tags, and releases what it references: BatchDeleteImage and lifecycle expiry share it. */
export const removeImage = (repository: RepositoryDraft, image: ImageDraft) => {
  for (const tag of imageTags(image)) repository.tags.delete(tag);
  for (const blob of image.blobs) decrement(repository.blobReferences, blob);
  for (const child of image.children ?? NO_DIGESTS) decrement(repository.childReferences, child);
  if (image.subject !== undefined) {
    const referrers = repository.referrers.get(image.subject);
    referrers?.delete(image.digest);
    if (referrers?.size === 0) repository.referrers.delete(image.subject);
  }
  repository.images.delete(image.digest);
  repository.pushOrder.dead++;
  compactPushOrder(repository.pushOrder, repository.images);
};

/** What a new image record is made of: the members every image has, and the rare ones if any. */
export interface ImageFields
  extends Omit<
    ImageDraft,
    "children" | "subject" | "referrer" | `last${string}` | "storageClass" | "scan" | "replication"
  > {
  readonly children: ReadonlyArray<Digest>;
  readonly subject: Digest | undefined;
  readonly referrer: ImageDraft["referrer"] | undefined;
}

/**
 * A new image, one literal with the members every image has (V8 keeps a literal's members in the
 * object, 8 bytes each): the members few images have (children, subject) are added only to those,
 * and those a push never sets (storage class, pull and archive times, scan) when they happen.
 * A decoded snapshot builds its images here too (snapshots/).
 */
export const imageRecord = (f: ImageFields): ImageDraft => {
  const { digest, manifestMediaType, artifactMediaType, sizeInBytes, pushedAt, tagged, blobs, seq } = f;
  const image = { digest, manifestMediaType, artifactMediaType, sizeInBytes, pushedAt, tagged, blobs, seq };
  if (f.children.length === 0 && f.subject === undefined) return image;
  return {
    ...image,
    ...(f.children.length === 0 ? {} : { children: f.children }),
    ...(f.subject === undefined ? {} : { subject: f.subject }),
    ...(f.referrer === undefined ? {} : { referrer: f.referrer }),
  };
};

export const evolveImage: EvolveTable<ImageEvent> = {
  ImagePushed: repositoryStep((repository, { data: d }, draft) => {
    const previous = repository.images.get(d.imageDigest);
    if (previous !== undefined) removeImage(repository, previous);
    const seq = repository.nextSeq++;
    const image = imageRecord({
      digest: d.imageDigest,
      manifestMediaType: sharedMediaType(d.imageManifestMediaType),
      artifactMediaType: sharedMediaType(d.artifactMediaType),
      sizeInBytes: d.imageSizeInBytes,
      pushedAt: d.pushedAt,
      tagged: NO_TAGS,
      blobs: sharedDigests(d.blobs, draft.blobs),
      children: d.children,
      seq,
      subject: d.subject,
      referrer: d.subject === undefined ? undefined : referrerFacts(d.imageManifest),
    });
    repository.images.set(d.imageDigest, image);
    repository.pushOrder.seqs.push(seq);
    repository.pushOrder.digests.push(d.imageDigest);
    // The image's own (shared) digests, not the event's copies: these become the map's keys.
    for (const blob of image.blobs) increment(repository.blobReferences, blob);
    // A layer takes the media type of the first manifest that references it, as ECR records it.
    for (const [digest, mediaType] of Object.entries(d.blobMediaTypes ?? {})) {
      if (repository.layers.get(digest as Digest) === null)
        repository.layers.set(digest as Digest, sharedMediaType(mediaType));
    }
    for (const child of d.children) increment(repository.childReferences, child);
    if (d.subject !== undefined) {
      const referrers = repository.referrers.get(d.subject) ?? new Set();
      referrers.add(d.imageDigest);
      repository.referrers.set(d.subject, referrers);
    }
    if (d.imageTag !== undefined) tagImage(repository, image, d.imageTag);
  }),
  ImageTagged: repositoryStep((repository, { data }) => {
    const image = repository.images.get(data.imageDigest);
    if (image !== undefined) tagImage(repository, image, data.imageTag);
  }),
  ImageUntagged: repositoryStep((repository, { data }) => {
    if (repository.tags.get(data.imageTag) === data.imageDigest) untag(repository, data.imageTag);
  }),
  ImageDeleted: repositoryStep((repository, { data }) => {
    const image = repository.images.get(data.imageDigest);
    if (image !== undefined) removeImage(repository, image);
  }),
};
