/**
 * Folding events into state. `applyEvent` writes into a draft that its caller owns; everything
 * exported is pure from the outside:
 * - `evolve(state, event)` returns a new state and leaves `state` untouched. It copies only the
 *   repository or upload the event touches, so it is the reference definition, not the hot path.
 * - `createProjection(state)` copies `state` once and then applies events in place: O(1) per event,
 *   whatever the size of the registry. Engines keep one per process; `fold` uses one internally.
 * A property test shows that a projection and step-by-step `evolve` reach equal states.
 */
import type { BerthEvent } from "./events.js";
import {
  emptyRegistryDraft,
  type ImageDraft,
  initialState,
  type PushOrderDraft,
  type RegistryDraft,
  type RegistryState,
  type RepositoryDraft,
  repositoryKey,
  type UploadDraft,
} from "./state.js";
import { type ImageTag, LAYER_PART_MIN_BYTES, type RegistryId } from "./values/primitives.js";

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
  if (holder !== undefined) repository.images.get(holder)?.tags.delete(tag);
  repository.tags.delete(tag);
};

const removeImage = (repository: RepositoryDraft, image: ImageDraft) => {
  for (const tag of image.tags) repository.tags.delete(tag);
  for (const blob of image.blobs) decrement(repository.blobReferences, blob);
  for (const child of image.children) decrement(repository.childReferences, child);
  if (image.subject !== undefined) {
    const referrers = repository.referrers.get(image.subject);
    referrers?.delete(image.digest);
    if (referrers?.size === 0) repository.referrers.delete(image.subject);
  }
  repository.images.delete(image.digest);
  repository.pushOrder.dead++;
  compactPushOrder(repository.pushOrder, repository.images);
};

const settingsOf = (draft: RegistryDraft, registryId: RegistryId) => {
  let settings = draft.registries.get(registryId);
  if (settings === undefined) {
    settings = { policyText: undefined, lenient: false };
    draft.registries.set(registryId, settings);
  }
  return settings;
};

/** Applies one event to a draft the caller owns. Total: an event that finds nothing to change is a no-op. */
export const applyEvent = (draft: RegistryDraft, event: BerthEvent): void => {
  switch (event.type) {
    case "RegistryPolicySet":
      settingsOf(draft, event.data.registryId).policyText = event.data.policyText;
      return;
    case "RegistryPolicyDeleted":
      settingsOf(draft, event.data.registryId).policyText = undefined;
      return;
    case "RegistrySettingsChanged":
      settingsOf(draft, event.data.registryId).lenient = event.data.lenient;
      return;
    case "LayerPartUploaded": {
      const upload = draft.uploads.get(event.data.uploadId);
      if (upload === undefined) return;
      const length = event.data.partLastByte - event.data.partFirstByte + 1;
      if (
        upload.partCount > 0 &&
        upload.lastPartLength < LAYER_PART_MIN_BYTES &&
        !upload.shortPartBeforeLast
      ) {
        upload.shortPartBeforeLast = { partNumber: upload.partCount, size: upload.lastPartLength };
      }
      upload.partCount++;
      upload.lastPartLength = length;
      upload.bytesReceived = (upload.bytesReceived + length) as UploadDraft["bytesReceived"];
      return;
    }
    case "RepositoryCreated": {
      const d = event.data;
      draft.repositories.set(repositoryKey(d.registryId, d.repositoryName), {
        registryId: d.registryId,
        name: d.repositoryName,
        createdAt: d.createdAt,
        imageTagMutability: d.imageTagMutability,
        imageTagMutabilityExclusionFilters: d.imageTagMutabilityExclusionFilters,
        scanOnPush: d.scanOnPush,
        encryptionType: d.encryptionType,
        kmsKey: d.kmsKey,
        images: new Map(),
        tags: new Map(),
        pushOrder: { seqs: [], digests: [], dead: 0 },
        nextSeq: 1,
        layers: new Map(),
        blobReferences: new Map(),
        childReferences: new Map(),
        referrers: new Map(),
        openUploads: new Map(),
        policyText: undefined,
        resourceTags: new Map(d.tags.map((tag) => [tag.Key, tag.Value])),
      });
      return;
    }
  }
  const key = repositoryKey(event.data.registryId, event.data.repositoryName);
  const repository = draft.repositories.get(key);
  if (repository === undefined) return;
  switch (event.type) {
    case "RepositoryDeleted":
      for (const uploadId of repository.openUploads.keys()) draft.uploads.delete(uploadId);
      draft.repositories.delete(key);
      return;
    case "ImageTagMutabilityChanged":
      repository.imageTagMutability = event.data.imageTagMutability;
      repository.imageTagMutabilityExclusionFilters = event.data.imageTagMutabilityExclusionFilters;
      return;
    case "ImagePushed": {
      const d = event.data;
      const previous = repository.images.get(d.imageDigest);
      if (previous !== undefined) removeImage(repository, previous);
      const seq = repository.nextSeq++;
      const image: ImageDraft = {
        digest: d.imageDigest,
        manifest: d.imageManifest,
        manifestMediaType: d.imageManifestMediaType,
        artifactMediaType: d.artifactMediaType,
        sizeInBytes: d.imageSizeInBytes,
        pushedAt: d.pushedAt,
        tags: new Set(),
        blobs: d.blobs,
        children: d.children,
        subject: d.subject,
        seq,
      };
      repository.images.set(d.imageDigest, image);
      repository.pushOrder.seqs.push(seq);
      repository.pushOrder.digests.push(d.imageDigest);
      for (const blob of d.blobs) increment(repository.blobReferences, blob);
      for (const child of d.children) increment(repository.childReferences, child);
      if (d.subject !== undefined) {
        const referrers = repository.referrers.get(d.subject) ?? new Set();
        referrers.add(d.imageDigest);
        repository.referrers.set(d.subject, referrers);
      }
      if (d.imageTag !== undefined) {
        untag(repository, d.imageTag);
        image.tags.add(d.imageTag);
        repository.tags.set(d.imageTag, d.imageDigest);
      }
      return;
    }
    case "ImageTagged": {
      const image = repository.images.get(event.data.imageDigest);
      if (image === undefined) return;
      untag(repository, event.data.imageTag);
      image.tags.add(event.data.imageTag);
      repository.tags.set(event.data.imageTag, image.digest);
      return;
    }
    case "ImageUntagged":
      if (repository.tags.get(event.data.imageTag) === event.data.imageDigest)
        untag(repository, event.data.imageTag);
      return;
    case "ImageDeleted": {
      const image = repository.images.get(event.data.imageDigest);
      if (image !== undefined) removeImage(repository, image);
      return;
    }
    case "LayerUploadInitiated":
      repository.openUploads.set(event.data.uploadId, event.data.initiatedAt);
      draft.uploads.set(event.data.uploadId, {
        registryId: event.data.registryId,
        repositoryName: event.data.repositoryName,
        uploadId: event.data.uploadId,
        bytesReceived: 0 as UploadDraft["bytesReceived"],
        partCount: 0,
        lastPartLength: 0,
        shortPartBeforeLast: undefined,
      });
      return;
    case "LayerUploadCompleted":
      repository.openUploads.delete(event.data.uploadId);
      draft.uploads.delete(event.data.uploadId);
      repository.layers.set(event.data.layerDigest, {
        digest: event.data.layerDigest,
        size: event.data.size,
      });
      return;
    case "LayerUploadDiscarded":
      repository.openUploads.delete(event.data.uploadId);
      draft.uploads.delete(event.data.uploadId);
      return;
    case "LayerLinked":
      repository.layers.set(event.data.layerDigest, {
        digest: event.data.layerDigest,
        size: event.data.size,
      });
      return;
    case "RepositoryPolicySet":
      repository.policyText = event.data.policyText;
      return;
    case "RepositoryPolicyDeleted":
      repository.policyText = undefined;
      return;
    case "ResourceTagsAdded":
      for (const tag of event.data.tags) repository.resourceTags.set(tag.Key, tag.Value);
      return;
    case "ResourceTagsRemoved":
      for (const key of event.data.tagKeys) repository.resourceTags.delete(key);
      return;
  }
};

const cloneImage = (image: ImageDraft): ImageDraft => ({ ...image, tags: new Set(image.tags) });

const cloneRepository = (r: RepositoryDraft): RepositoryDraft => ({
  ...r,
  images: new Map([...r.images].map(([digest, image]) => [digest, cloneImage(image)])),
  tags: new Map(r.tags),
  pushOrder: { seqs: [...r.pushOrder.seqs], digests: [...r.pushOrder.digests], dead: r.pushOrder.dead },
  layers: new Map(r.layers),
  blobReferences: new Map(r.blobReferences),
  childReferences: new Map(r.childReferences),
  referrers: new Map([...r.referrers].map(([subject, digests]) => [subject, new Set(digests)])),
  openUploads: new Map(r.openUploads),
  resourceTags: new Map(r.resourceTags),
});

/**
 * The state is declared read-only to everyone but this module; this is the one place that takes a
 * read-only state as a draft, and only to copy it (or share what an event does not touch).
 */
const asDraft = (state: RegistryState) => state as unknown as RegistryDraft;

/** A deep copy: the returned draft shares nothing mutable with `state`. */
const cloneRegistry = (state: RegistryState): RegistryDraft => {
  const s = asDraft(state);
  const draft = emptyRegistryDraft();
  for (const [key, repository] of s.repositories) draft.repositories.set(key, cloneRepository(repository));
  for (const [id, settings] of s.registries) draft.registries.set(id, { ...settings });
  for (const [id, upload] of s.uploads) draft.uploads.set(id, { ...upload });
  return draft;
};

/**
 * A copy of `state` that an event may write into: fresh top-level maps, a fresh copy of what the
 * event can touch (its repository, its upload, its registry settings), everything else shared.
 */
const draftFor = (state: RegistryState, event: BerthEvent): RegistryDraft => {
  const s = asDraft(state);
  const draft: RegistryDraft = {
    repositories: new Map(s.repositories),
    registries: new Map(s.registries),
    uploads: new Map(s.uploads),
  };
  const settings = draft.registries.get(event.data.registryId);
  if (settings !== undefined) draft.registries.set(event.data.registryId, { ...settings });
  if ("repositoryName" in event.data) {
    const key = repositoryKey(event.data.registryId, event.data.repositoryName);
    const repository = draft.repositories.get(key);
    if (repository !== undefined) draft.repositories.set(key, cloneRepository(repository));
  }
  if ("uploadId" in event.data) {
    const upload = draft.uploads.get(event.data.uploadId);
    if (upload !== undefined) draft.uploads.set(event.data.uploadId, { ...upload });
  }
  return draft;
};

/** The state after `event`; `state` is left as it was. */
export const evolve = (state: RegistryState, event: BerthEvent): RegistryState => {
  const draft = draftFor(state, event);
  applyEvent(draft, event);
  return draft;
};

/** A fold that owns its state: `apply` costs O(1) per event. `state` is a live read-only view. */
export interface Projection {
  readonly state: RegistryState;
  apply(event: BerthEvent): void;
}

export const createProjection = (from: RegistryState = initialState): Projection => {
  const draft = from === initialState ? emptyRegistryDraft() : cloneRegistry(from);
  return {
    state: draft,
    apply: (event) => applyEvent(draft, event),
  };
};

/** The state after all `events`, starting from `from` (which is left as it was). */
export const fold = (events: Iterable<BerthEvent>, from: RegistryState = initialState): RegistryState => {
  const projection = createProjection(from);
  for (const event of events) projection.apply(event);
  return projection.state;
};
