/**
 * Folding events into state, composed from the slices' evolve tables. A step writes into a draft
 * that its caller owns; everything exported is pure from the outside:
 * - `evolve(state, event)` returns a new state and leaves `state` untouched. It copies only the
 *   repository or upload the event touches, so it is the reference definition, not the hot path.
 * - `createProjection(state)` copies `state` once and then applies events in place: O(1) per event,
 *   whatever the size of the registry. Engines keep one per process; `fold` uses one internally.
 * A property test shows that a projection and step-by-step `evolve` reach equal states.
 */

import { accountSettingsDecider } from "./account-settings/account-settings-decider.js";
import { archiveDecider } from "./archive/archive-decider.js";
import type { BerthEvent } from "./berth-event.js";
import { creationTemplateDecider } from "./creation-templates/template-decider.js";
import { trackBlobReferences } from "./garbage-collection/blob-references.js";
import { garbageCollectionDecider } from "./garbage-collection/gc-decider.js";
import { imageDecider } from "./images/image-decider.js";
import {
  emptyRegistryDraft,
  type ImageDraft,
  initialState,
  type RegistryDraft,
  type RegistryState,
  type RepositoryDraft,
  repositoryKey,
} from "./kernel/registry-state.js";
import type { EvolveTable } from "./kernel/slice.js";
import { layerUploadDecider } from "./layer-uploads/layer-upload-decider.js";
import { lifecycleDecider } from "./lifecycle/lifecycle-decider.js";
import { policyDecider } from "./policies/policy-decider.js";
import { pullThroughCacheDecider } from "./pull-through-cache/cache-rule-decider.js";
import { pullTimeExclusionDecider } from "./pull-time-exclusions/exclusion-decider.js";
import { registrySettingsDecider } from "./registry-settings/registry-settings-decider.js";
import { replicationDecider } from "./replication/replication-decider.js";
import { repositoryDecider } from "./repositories/repository-decider.js";
import { scanningDecider } from "./scanning/scanning-decider.js";
import { signingDecider } from "./signing/signing-decider.js";

/** Every event type to its slice's step: a type missing here is a compile error. */
const steps: EvolveTable<BerthEvent> = {
  ...repositoryDecider.evolve,
  ...imageDecider.evolve,
  ...layerUploadDecider.evolve,
  ...policyDecider.evolve,
  ...registrySettingsDecider.evolve,
  ...lifecycleDecider.evolve,
  ...scanningDecider.evolve,
  ...accountSettingsDecider.evolve,
  ...archiveDecider.evolve,
  ...signingDecider.evolve,
  ...pullTimeExclusionDecider.evolve,
  ...pullThroughCacheDecider.evolve,
  ...creationTemplateDecider.evolve,
  ...garbageCollectionDecider.evolve,
  ...replicationDecider.evolve,
};

type Step = (draft: RegistryDraft, event: BerthEvent) => void;

/**
 * True for the event types this version of the core knows. Stores are shared (another application
 * may write other streams into the same log): folds skip what they do not know.
 */
export const isBerthEvent = (event: { readonly type: string }): event is BerthEvent =>
  Object.hasOwn(steps, event.type);

/** The event types this version of the core folds, sorted (a snapshot names the set it was folded with). */
export const berthEventTypes = (): ReadonlyArray<string> => Object.keys(steps).sort();

/** Applies one event to a draft the caller owns. Total: an event that finds nothing to change is a no-op. */
export const applyEvent = (draft: RegistryDraft, event: BerthEvent): void => {
  // Each type is paired with the step for exactly that event (TypeScript cannot follow the pairing
  // through an index); an unknown type has no step and changes nothing.
  const step = (steps as Readonly<Record<string, Step | undefined>>)[event.type];
  // The blob index reads the state before the event (the images a deletion removes, say).
  if (step !== undefined) trackBlobReferences(draft, event);
  step?.(draft, event);
};

/** Images change in place (scans, pulls, storage class); their tag lists are replaced, never changed. */
const cloneImage = (image: ImageDraft): ImageDraft => ({ ...image });

/** Copies entries in one loop, without the arrays a spread would build: a snapshot copies the whole state. */
const mapValues = <K, V>(map: ReadonlyMap<K, V>, copy: (value: V) => V): Map<K, V> => {
  const copied = new Map<K, V>();
  for (const [key, value] of map) copied.set(key, copy(value));
  return copied;
};

const cloneRepository = (r: RepositoryDraft): RepositoryDraft => ({
  ...r,
  images: mapValues(r.images, cloneImage),
  tags: new Map(r.tags),
  pushOrder: { seqs: [...r.pushOrder.seqs], digests: [...r.pushOrder.digests], dead: r.pushOrder.dead },
  layers: new Map(r.layers),
  blobReferences: new Map(r.blobReferences),
  childReferences: new Map(r.childReferences),
  referrers: mapValues(r.referrers, (digests) => new Set(digests)),
  openUploads: new Map(r.openUploads),
  expiredUploads: new Map(r.expiredUploads),
  resourceTags: new Map(r.resourceTags),
});

/**
 * The state is declared read-only to everyone but the fold; this is the one place that takes a
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
  for (const [id, registryId] of s.releasableUploads) draft.releasableUploads.set(id, registryId);
  for (const [digest, blob] of s.blobs) draft.blobs.set(digest, blob);
  for (const [id, digest] of s.blobRetentions) draft.blobRetentions.set(id, digest);
  return draft;
};

/** The keys of the repositories `event` may change: its own, or those a pull record names. */
const repositoriesTouched = (event: BerthEvent): ReadonlyArray<string> => {
  if (event.type === "ImagePullsRecorded")
    return event.data.pulls.map(({ repositoryName }) => repositoryKey(event.data.registryId, repositoryName));
  return "repositoryName" in event.data
    ? [repositoryKey(event.data.registryId, event.data.repositoryName)]
    : [];
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
    // Blob entries are replaced, never written in place: copying the maps is enough.
    releasableUploads: new Map(s.releasableUploads),
    blobs: new Map(s.blobs),
    blobRetentions: new Map(s.blobRetentions),
  };
  if ("registryId" in event.data) {
    const settings = draft.registries.get(event.data.registryId);
    if (settings !== undefined) draft.registries.set(event.data.registryId, { ...settings });
  }
  for (const key of repositoriesTouched(event)) {
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
