/**
 * The facts the registry records: the closed union of every slice's events, JSON-serializable, each
 * carrying everything `evolve` needs. Layer bytes never appear here: only digests, sizes and offsets.
 *
 * Streams: one per repository (lifecycle, images, tags, layers, upload sessions opening and closing,
 * policy, resource tags), one per upload session (its parts, so a repository stream does not grow
 * with every part), one per registry (registry policy and settings), one per blob collected or
 * retained by garbage collection, one per registry for pull records (the pulls of many repositories
 * in one event).
 */
import type { AccountSettingsEvent } from "./account-settings/account-settings-events.js";
import type { ArchiveEvent, ImagePullsRecorded } from "./archive/archive-events.js";
import type { CreationTemplateEvent } from "./creation-templates/template-events.js";
import type { BlobEvent, GarbageCollectionEvent } from "./garbage-collection/gc-events.js";
import type { ImageEvent } from "./images/image-events.js";
import { StreamNames } from "./kernel/stream-names.js";
import type {
  LayerPartUploaded,
  LayerUploadEvent,
  UploadBytesReleased,
} from "./layer-uploads/layer-upload-events.js";
import type { LifecycleEvent } from "./lifecycle/lifecycle-events.js";
import type { PolicyEvent, RegistryPolicyDeleted, RegistryPolicySet } from "./policies/policy-events.js";
import type { PullThroughCacheEvent } from "./pull-through-cache/cache-rule-events.js";
import type { PullTimeExclusionEvent } from "./pull-time-exclusions/exclusion-events.js";
import type { RegistrySettingsEvent } from "./registry-settings/registry-settings-events.js";
import type { ReplicationBackfillEvent } from "./replication/replication-backfill-messages.js";
import type { ReplicationConfigurationPut, ReplicationEvent } from "./replication/replication-events.js";
import type { RepositoryLifecycleEvent } from "./repositories/repository-events.js";
import type { RegistryScanningConfigurationChanged, ScanningEvent } from "./scanning/scanning-events.js";
import type { SigningEvent } from "./signing/signing-events.js";

export { StreamNames } from "./kernel/stream-names.js";

export type BerthEvent =
  | RepositoryLifecycleEvent
  | ImageEvent
  | LayerUploadEvent
  | PolicyEvent
  | RegistrySettingsEvent
  | LifecycleEvent
  | ScanningEvent
  | AccountSettingsEvent
  | ArchiveEvent
  | SigningEvent
  | PullTimeExclusionEvent
  | PullThroughCacheEvent
  | CreationTemplateEvent
  | GarbageCollectionEvent
  | ReplicationEvent;
export type BerthEventType = BerthEvent["type"];

export type UploadEvent = LayerPartUploaded | UploadBytesReleased;
export type RegistryEvent =
  | RegistryPolicySet
  | RegistryPolicyDeleted
  | RegistrySettingsEvent
  | RegistryScanningConfigurationChanged
  | AccountSettingsEvent
  | SigningEvent
  | PullTimeExclusionEvent
  | PullThroughCacheEvent
  | CreationTemplateEvent
  | ReplicationConfigurationPut
  | ReplicationBackfillEvent;
/** The events of a repository's stream. */
export type RepositoryEvent = Exclude<
  BerthEvent,
  UploadEvent | RegistryEvent | BlobEvent | ImagePullsRecorded
>;

/** The stream an event belongs to. */
export const streamOf = (event: BerthEvent): string => {
  switch (event.type) {
    case "LayerPartUploaded":
    case "UploadBytesReleased":
      return StreamNames.upload(event.data.uploadId);
    case "RegistryPolicySet":
    case "RegistryPolicyDeleted":
    case "RegistrySettingsChanged":
    case "RegistryScanningConfigurationChanged":
    case "AccountSettingChanged":
    case "SigningConfigurationPut":
    case "SigningConfigurationDeleted":
    case "PullTimeUpdateExclusionRegistered":
    case "PullTimeUpdateExclusionDeregistered":
    case "PullThroughCacheRuleCreated":
    case "PullThroughCacheRuleUpdated":
    case "PullThroughCacheRuleDeleted":
    case "RepositoryCreationTemplateCreated":
    case "RepositoryCreationTemplateUpdated":
    case "RepositoryCreationTemplateDeleted":
    case "ReplicationConfigurationPut":
    case "ReplicationBackfillStarted":
    case "ReplicationBackfillPrepared":
    case "ReplicationBackfillStopped":
      return StreamNames.registry(event.data.registryId);
    case "BlobCollected":
    case "BlobRetained":
    case "BlobDeleted":
      return StreamNames.blob(event.data.digest);
    case "ImagePullsRecorded":
      return StreamNames.pulls(event.data.registryId);
    default:
      return StreamNames.repository(event.data.registryId, event.data.repositoryName);
  }
};
