/**
 * A fold shares the values many images hold (see images/shared-values.ts); a decoded snapshot gets
 * the same sharing from this pass, run once on a freshly decoded draft. Digests are shared already
 * (a snapshot writes each once, see DigestsWritten); here a lone linker becomes its repository's
 * `soleLinker`, empty lists and common media types the shared ones, and images, blob entries and
 * layer media types are built as the fold builds them. It changes no value, only which copy holds it.
 */
import { blobEntry } from "../garbage-collection/blob-references.js";
import { imageRecord } from "../images/evolve-image.js";
import { taggedAs } from "../images/image-tags.js";
import { NO_DIGESTS, sharedMediaType } from "../images/shared-values.js";
import type { ImageDraft, RegistryDraft, RepositoryDraft } from "../kernel/registry-state.js";
import type { Digest } from "../values/primitives.js";

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

const shareRepository = (repository: RepositoryDraft): void => {
  for (const [digest, image] of repository.images) repository.images.set(digest, sharedImage(digest, image));
  for (const [digest, mediaType] of repository.layers)
    if (mediaType !== null) repository.layers.set(digest, sharedMediaType(mediaType));
};

export const shareDecodedValues = (draft: RegistryDraft): void => {
  for (const [key, repository] of draft.repositories) {
    (repository as Writable<RepositoryDraft>).soleLinker = Object.freeze([key]);
  }
  for (const [digest, entry] of draft.blobs) {
    const [first] = entry.linkedBy;
    const sole = entry.linkedBy.length === 1 ? draft.repositories.get(first!)?.soleLinker : undefined;
    // Built afresh, not spread: a copy of a parsed object can keep the parser's bulkier layout.
    draft.blobs.set(
      digest,
      blobEntry({
        digest,
        size: entry.size,
        linkedBy: sole ?? entry.linkedBy,
        references: entry.references,
        idleSince: entry.idleSince,
        collected: entry.collected === true,
        retainedFor: entry.retainedFor,
      }),
    );
  }
  for (const repository of draft.repositories.values()) shareRepository(repository);
};
