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
import type { RepositoryLifecycleEvent } from "../repositories/repository-events.js";
import type { Digest, Timestamp } from "../values/primitives.js";

/** The events that move references; every other event changes nothing here. */
type ReferencingEvent = ImageEvent | RepositoryLifecycleEvent | LayerUploadEvent;

const later = (a: Timestamp, b: Timestamp): Timestamp => (a > b ? a : b);

const entryOf = (draft: RegistryDraft, digest: Digest, at: Timestamp): BlobEntry =>
  draft.blobs.get(digest) ?? {
    digest,
    size: 0,
    linkedBy: new Set(),
    references: 0,
    idleSince: at,
    collected: false,
  };

export const linkBlob = (
  draft: RegistryDraft,
  repository: RepositoryDraft,
  digest: Digest,
  size: number,
  at: Timestamp,
): void => {
  const key = repositoryKey(repository.registryId, repository.name);
  const entry = entryOf(draft, digest, at);
  draft.blobs.set(digest, {
    ...entry,
    size,
    linkedBy: new Set([...entry.linkedBy, key]),
    idleSince: later(entry.idleSince, at),
    collected: false,
  });
};

export const unlinkBlob = (draft: RegistryDraft, repository: RepositoryDraft, digest: Digest): void => {
  const entry = draft.blobs.get(digest);
  if (entry === undefined) return;
  const key = repositoryKey(repository.registryId, repository.name);
  draft.blobs.set(digest, { ...entry, linkedBy: new Set([...entry.linkedBy].filter((k) => k !== key)) });
};

const referenceBlobs = (draft: RegistryDraft, blobs: ReadonlyArray<Digest>, at: Timestamp): void => {
  for (const digest of blobs) {
    const entry = entryOf(draft, digest, at);
    draft.blobs.set(digest, { ...entry, references: entry.references + 1, collected: false });
  }
};

const releaseBlobs = (draft: RegistryDraft, blobs: ReadonlyArray<Digest>, at: Timestamp): void => {
  for (const digest of blobs) {
    const entry = draft.blobs.get(digest);
    if (entry === undefined) continue;
    const references = Math.max(entry.references - 1, 0);
    draft.blobs.set(digest, { ...entry, references, ...(references === 0 ? { idleSince: at } : {}) });
  }
};

/** Moves the blob index for `event`, against the state before the event's own step. */
export const trackBlobReferences = (draft: RegistryDraft, message: Message): void => {
  // Each case below reads only the event of its own type; any other type falls through to default.
  const event = message as ReferencingEvent;
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
    case "RepositoryDeleted": {
      for (const image of repository.images.values()) releaseBlobs(draft, image.blobs, event.data.deletedAt);
      for (const digest of repository.layers.keys()) unlinkBlob(draft, repository, digest);
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
