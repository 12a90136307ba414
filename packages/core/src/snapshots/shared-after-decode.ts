/**
 * A decoded snapshot holds its own copy of every string it spelled out: a digest appears once per
 * map key, image, push-order slot, tag and layer that names it. A fold shares them instead (see
 * images/shared-values.ts), and so does this pass, run once on a freshly decoded draft: digests
 * become the blob index's and the image map's keys, a lone linker its repository's `soleLinker`,
 * empty lists and common media types the shared ones. It changes no value, only which copy holds it.
 */
import {
  NO_DIGESTS,
  NO_TAGS,
  sharedDigest,
  sharedDigests,
  sharedMediaType,
} from "../images/shared-values.js";
import type {
  BlobEntry,
  ImageDraft,
  LayerDraft,
  RegistryDraft,
  RepositoryDraft,
} from "../kernel/registry-state.js";
import type { Digest } from "../values/primitives.js";

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The image built afresh as evolve builds it (a decoded record's members were added one by one,
 * which V8 stores less compactly). Every member is listed: the compiler names a new required one,
 * and the snapshot property tests a new optional one.
 */
const sharedImage = (draft: RegistryDraft, digest: Digest, image: ImageDraft): ImageDraft => ({
  digest,
  manifestMediaType: sharedMediaType(image.manifestMediaType),
  artifactMediaType: sharedMediaType(image.artifactMediaType),
  sizeInBytes: image.sizeInBytes,
  pushedAt: image.pushedAt,
  tags: image.tags.length === 0 ? NO_TAGS : image.tags,
  blobs: sharedDigests(image.blobs, draft.blobs),
  children: image.children.length === 0 ? NO_DIGESTS : image.children,
  subject: image.subject,
  referrer: image.referrer,
  seq: image.seq,
  lastPulledAt: image.lastPulledAt,
  storageClass: image.storageClass,
  lastArchivedAt: image.lastArchivedAt,
  lastActivatedAt: image.lastActivatedAt,
  ...("scan" in image ? { scan: image.scan } : {}),
  ...("replication" in image ? { replication: image.replication } : {}),
});

/** The same map, keyed by the blob index's copies of its digests. */
const rekeyed = <V>(
  blobs: ReadonlyMap<Digest, BlobEntry>,
  map: Map<Digest, V>,
  value: (digest: Digest, value: V) => V,
): Map<Digest, V> => {
  const shared = new Map<Digest, V>();
  for (const [digest, item] of map) {
    const key = sharedDigest(digest, blobs);
    shared.set(key, value(key, item));
  }
  return shared;
};

const shareRepository = (draft: RegistryDraft, repository: RepositoryDraft): void => {
  const writable = repository as Writable<RepositoryDraft>;
  for (const [digest, image] of repository.images)
    repository.images.set(digest, sharedImage(draft, digest, image));
  const own = (digest: Digest) => repository.images.get(digest)?.digest ?? digest;
  const { digests } = repository.pushOrder;
  for (let i = 0; i < digests.length; i++) digests[i] = own(digests[i]!);
  for (const [tag, digest] of repository.tags) repository.tags.set(tag, own(digest));
  writable.layers = rekeyed(draft.blobs, repository.layers, (digest, layer: LayerDraft) =>
    layer.mediaType === undefined
      ? { digest, size: layer.size }
      : { digest, size: layer.size, mediaType: sharedMediaType(layer.mediaType) },
  );
  writable.blobReferences = rekeyed(draft.blobs, repository.blobReferences, (_, count) => count);
};

export const shareDecodedValues = (draft: RegistryDraft): void => {
  for (const [key, repository] of draft.repositories) {
    (repository as Writable<RepositoryDraft>).soleLinker = Object.freeze([key]);
  }
  for (const [digest, entry] of draft.blobs) {
    const [first] = entry.linkedBy;
    const sole = entry.linkedBy.length === 1 ? draft.repositories.get(first!)?.soleLinker : undefined;
    // Built afresh, not spread: a copy of a parsed object can keep the parser's bulkier layout.
    draft.blobs.set(digest, {
      digest,
      size: entry.size,
      linkedBy: sole ?? entry.linkedBy,
      references: entry.references,
      idleSince: entry.idleSince,
      collected: entry.collected,
      retainedFor: entry.retainedFor,
    });
  }
  for (const repository of draft.repositories.values()) shareRepository(draft, repository);
};
