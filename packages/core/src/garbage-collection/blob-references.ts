/**
 * The blob index (`state.blobs`): which repositories link each blob, how many image references it
 * has over every repository, and since when it has had none. Kept up to date by a step that runs
 * before each event's own step, since image, repository and layer events all move references.
 * Entries are replaced, never written in place.
 */
import type { ImageEvent } from "../images/image-events.js";
import type { Message } from "../kernel/message.js";
import {
  type BlobEntry,
  type RegistryDraft,
  type RepositoryDraft,
  repositoryKey,
} from "../kernel/registry-state.js";
import type { LayerUploadEvent } from "../layer-uploads/layer-upload-events.js";
import type { ImageExpired } from "../lifecycle/lifecycle-events.js";
import type { RepositoryLifecycleEvent } from "../repositories/repository-events.js";
import type { Digest, Timestamp } from "../values/primitives.js";

/** The events that move references; every other event changes nothing here. */
type ReferencingEvent = ImageEvent | ImageExpired | RepositoryLifecycleEvent | LayerUploadEvent;

/** The members of a blob entry, optional ones undefined when absent. */
export interface BlobEntryFields {
  readonly digest: Digest;
  readonly size: number;
  readonly linkedBy: ReadonlyArray<string>;
  readonly references: number;
  readonly idleSince: Timestamp | undefined;
  readonly collected: boolean;
  readonly retainedFor: Map<string, Timestamp> | undefined;
}

/**
 * The entry, built as one literal per shape (a spread copy takes out-of-object properties and a
 * hidden class of its own), `idleSince` kept only while nothing references the blob.
 */
export const blobEntry = (f: BlobEntryFields): BlobEntry => {
  const { digest, size, linkedBy, references } = f;
  if (!f.collected && f.retainedFor === undefined) {
    return references > 0 || f.idleSince === undefined
      ? { digest, size, linkedBy, references }
      : { digest, size, linkedBy, references, idleSince: f.idleSince };
  }
  return {
    digest,
    size,
    linkedBy,
    references,
    ...(references > 0 || f.idleSince === undefined ? {} : { idleSince: f.idleSince }),
    ...(f.collected ? { collected: true } : {}),
    ...(f.retainedFor === undefined ? {} : { retainedFor: f.retainedFor }),
  };
};

const later = (a: Timestamp | undefined, b: Timestamp): Timestamp => (a !== undefined && a > b ? a : b);

type Changes = { -readonly [K in keyof BlobEntryFields]?: BlobEntryFields[K] };

/** `entry` with `changes` (see `blobEntry`: `idleSince` is kept only while nothing references it). */
export const entryWith = (entry: BlobEntry, changes: Changes): BlobEntry =>
  blobEntry({
    digest: entry.digest,
    size: changes.size ?? entry.size,
    linkedBy: changes.linkedBy ?? entry.linkedBy,
    references: changes.references ?? entry.references,
    idleSince: changes.idleSince ?? entry.idleSince,
    collected: changes.collected ?? entry.collected === true,
    retainedFor: "retainedFor" in changes ? changes.retainedFor : entry.retainedFor,
  });

const entryOf = (draft: RegistryDraft, digest: Digest, at: Timestamp): BlobEntry =>
  draft.blobs.get(digest) ?? { digest, size: 0, linkedBy: [], references: 0, idleSince: at };

/** Records a retention (and ends a condemnation: the retainer writes the bytes afresh). */
export const retain = (
  draft: RegistryDraft,
  data: {
    readonly digest: Digest;
    readonly retentionId: string;
    readonly until: Timestamp;
    readonly retainedAt: Timestamp;
  },
): void => {
  const entry = entryOf(draft, data.digest, data.retainedAt);
  draft.blobs.set(
    data.digest,
    entryWith(entry, {
      idleSince: later(entry.idleSince, data.retainedAt),
      collected: false,
      retainedFor: new Map([...(entry.retainedFor ?? []), [data.retentionId, data.until]]),
    }),
  );
  draft.blobRetentions.set(data.retentionId, data.digest);
};

/** Ends a retention: its upload closed, or its mount linked the blob. */
const endRetention = (draft: RegistryDraft, retentionId: string): void => {
  const digest = draft.blobRetentions.get(retentionId);
  if (digest === undefined) return;
  draft.blobRetentions.delete(retentionId);
  const entry = draft.blobs.get(digest);
  if (entry === undefined) return;
  const left = [...(entry.retainedFor ?? [])].filter(([id]) => id !== retentionId);
  draft.blobs.set(digest, entryWith(entry, { retainedFor: left.length === 0 ? undefined : new Map(left) }));
};

export const linkBlob = (
  draft: RegistryDraft,
  repository: RepositoryDraft,
  digest: Digest,
  size: number,
  at: Timestamp,
): void => {
  const [key] = repository.soleLinker;
  const entry = entryOf(draft, digest, at);
  const linkedBy =
    entry.linkedBy.length === 0
      ? repository.soleLinker
      : entry.linkedBy.includes(key!)
        ? entry.linkedBy
        : [...entry.linkedBy, key!];
  draft.blobs.set(
    digest,
    entryWith(entry, { size, linkedBy, idleSince: later(entry.idleSince, at), collected: false }),
  );
};

export const unlinkBlob = (draft: RegistryDraft, repository: RepositoryDraft, digest: Digest): void => {
  const entry = draft.blobs.get(digest);
  if (entry === undefined) return;
  const key = repositoryKey(repository.registryId, repository.name);
  draft.blobs.set(digest, entryWith(entry, { linkedBy: entry.linkedBy.filter((k) => k !== key) }));
};

const referenceBlobs = (draft: RegistryDraft, blobs: ReadonlyArray<Digest>, at: Timestamp): void => {
  for (const digest of blobs) {
    const entry = entryOf(draft, digest, at);
    draft.blobs.set(digest, entryWith(entry, { references: entry.references + 1, collected: false }));
  }
};

const releaseBlobs = (draft: RegistryDraft, blobs: ReadonlyArray<Digest>, at: Timestamp): void => {
  for (const digest of blobs) {
    const entry = draft.blobs.get(digest);
    if (entry === undefined) continue;
    const references = Math.max(entry.references - 1, 0);
    draft.blobs.set(
      digest,
      entryWith(entry, references === 0 ? { references, idleSince: at } : { references }),
    );
  }
};

/** Moves the blob index for `event`, against the state before the event's own step. */
export const trackBlobReferences = (draft: RegistryDraft, message: Message): void => {
  // Each case below reads only the event of its own type; any other type falls through to default.
  const event = message as ReferencingEvent;
  if (
    event.type === "LayerUploadCompleted" ||
    event.type === "LayerUploadDiscarded" ||
    event.type === "LayerUploadExpired"
  ) {
    endRetention(draft, event.data.uploadId);
  }
  if (event.type === "LayerLinked" && event.data.retentionId !== undefined)
    endRetention(draft, event.data.retentionId);
  if (!("repositoryName" in event.data)) return;
  const repository = draft.repositories.get(repositoryKey(event.data.registryId, event.data.repositoryName));
  if (repository === undefined) return;
  switch (event.type) {
    case "ImagePushed": {
      const previous = repository.images.get(event.data.imageDigest);
      if (previous !== undefined) releaseBlobs(draft, previous.blobs, event.data.pushedAt);
      referenceBlobs(draft, event.data.blobs, event.data.pushedAt);
      return;
    }
    case "ImageDeleted": {
      const image = repository.images.get(event.data.imageDigest);
      if (image !== undefined) releaseBlobs(draft, image.blobs, event.data.deletedAt ?? (0 as Timestamp));
      return;
    }
    case "ImageExpired": {
      // A lifecycle expiry removes the image as a deletion does: its blobs lose a reference.
      const image = repository.images.get(event.data.imageDigest);
      if (image !== undefined) releaseBlobs(draft, image.blobs, event.data.expiredAt);
      return;
    }
    case "RepositoryDeleted": {
      for (const image of repository.images.values()) releaseBlobs(draft, image.blobs, event.data.deletedAt);
      for (const digest of repository.layers.keys()) unlinkBlob(draft, repository, digest);
      for (const uploadId of repository.openUploads.keys()) endRetention(draft, uploadId);
      return;
    }
    case "LayerUploadCompleted":
      if (!repository.layers.has(event.data.layerDigest))
        linkBlob(draft, repository, event.data.layerDigest, event.data.size, event.data.completedAt);
      return;
    case "LayerLinked":
      if (!repository.layers.has(event.data.layerDigest))
        linkBlob(draft, repository, event.data.layerDigest, event.data.size, event.data.linkedAt);
      return;
    default:
      return;
  }
};
