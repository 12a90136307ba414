/**
 * A fold shares the values many images hold (see images/shared-values.ts); a decoded snapshot gets
 * the same sharing from these finishers, applied to each entry and item as it is decoded (so the
 * parsed copies die young, before they are promoted to the old generation). Digests are shared already
 * (a snapshot writes each once, see DigestsWritten); here a lone linker becomes its repository's
 * `soleLinker`, empty lists and common media types the shared ones, and images, blob entries and
 * layer media types are built as the fold builds them. It changes no value, only which copy holds it.
 */
import { blobEntry } from "../garbage-collection/blob-references.js";
import { imageRecord } from "../images/evolve-image.js";
import { taggedAs } from "../images/image-tags.js";
import { NO_DIGESTS, sharedMediaType } from "../images/shared-values.js";
import type { BlobEntry, ImageDraft, RegistryDraft, RepositoryDraft } from "../kernel/registry-state.js";
import type { Digest, MediaType } from "../values/primitives.js";
import { SnapshotFormatError } from "./snapshot-values.js";

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The image built afresh as evolve builds it (a decoded record's members were added one by one,
 * which V8 stores less compactly), then the members added after a push, as the fold adds them.
 * Every member is listed: the compiler names a new required one, and the snapshot property tests a
 * new optional one.
 */
const sharedImage = (digest: Digest, image: ImageDraft): ImageDraft => {
  const shared = imageRecord({
    digest,
    manifestMediaType: sharedMediaType(image.manifestMediaType),
    artifactMediaType: sharedMediaType(image.artifactMediaType),
    sizeInBytes: image.sizeInBytes,
    pushedAt: image.pushedAt,
    tagged: typeof image.tagged === "string" ? image.tagged : taggedAs(image.tagged),
    blobs: image.blobs.length === 0 ? NO_DIGESTS : image.blobs,
    children: image.children ?? NO_DIGESTS,
    seq: image.seq,
    subject: image.subject,
    referrer: image.referrer,
  });
  if (image.storageClass !== undefined) shared.storageClass = image.storageClass;
  if (image.lastPulledAt !== undefined) shared.lastPulledAt = image.lastPulledAt;
  if (image.lastArchivedAt !== undefined) shared.lastArchivedAt = image.lastArchivedAt;
  if (image.lastActivatedAt !== undefined) shared.lastActivatedAt = image.lastActivatedAt;
  if (image.scan !== undefined) shared.scan = image.scan;
  if (image.replication !== undefined) shared.replication = image.replication;
  return shared;
};

const shareRepository = (key: string, repository: RepositoryDraft): RepositoryDraft => {
  (repository as Writable<RepositoryDraft>).soleLinker = Object.freeze([key]);
  for (const [digest, image] of repository.images) repository.images.set(digest, sharedImage(digest, image));
  for (const [digest, mediaType] of repository.layers)
    if (mediaType !== null) repository.layers.set(digest, sharedMediaType(mediaType));
  return repository;
};

/** A blob entry built afresh, not spread: a copy of a parsed object can keep the parser's bulkier layout. */
const sharedBlobEntry = (draft: RegistryDraft, digest: Digest, entry: BlobEntry): BlobEntry => {
  const [first] = entry.linkedBy;
  const sole = entry.linkedBy.length === 1 ? draft.repositories.get(first!)?.soleLinker : undefined;
  return blobEntry({
    digest,
    size: entry.size,
    linkedBy: sole ?? entry.linkedBy,
    references: entry.references,
    idleSince: entry.idleSince,
    collected: entry.collected === true,
    retainedFor: entry.retainedFor,
  });
};

/** Finishes one decoded value: answers the value the state keeps under `key`. */
export type Finish = (key: unknown, value: unknown) => unknown;

/** A finish that refuses, as a snapshot error, a value of a shape the fold never makes. */
const checked =
  (finish: Finish): Finish =>
  (key, value) => {
    try {
      return finish(key, value);
    } catch (error) {
      throw new SnapshotFormatError(`a state of another shape: ${String(error)}`);
    }
  };

const finishRepository = checked((key, repository) =>
  shareRepository(key as string, repository as RepositoryDraft),
);
const finishImage = checked((digest, image) => sharedImage(digest as Digest, image as ImageDraft));
const finishLayer = checked((_, mediaType) =>
  mediaType === null ? null : sharedMediaType(mediaType as MediaType),
);

/**
 * How an entry of the state's top-level map `field` is finished as it is decoded (a repository is
 * decoded before any blob: blobs can find their sole linker). Repositories come before their big
 * containers' items (see finishItem), so only what the entry holds itself is shared here.
 */
export const finishEntry = (draft: RegistryDraft, field: keyof RegistryDraft): Finish | undefined => {
  if (field === "repositories") return finishRepository;
  if (field === "blobs")
    return checked((digest, entry) => sharedBlobEntry(draft, digest as Digest, entry as BlobEntry));
  return undefined;
};

/** How an item of a big container (`path` inside an entry of `field`) is finished as it is decoded. */
export const finishItem = (field: keyof RegistryDraft, path: unknown): Finish | undefined => {
  if (field !== "repositories" || !Array.isArray(path) || path.length !== 1) return undefined;
  if (path[0] === "images") return finishImage;
  if (path[0] === "layers") return finishLayer;
  return undefined;
};
