/**
 * What callers ask of the registry: the closed union of every slice's commands. Values are already
 * decoded (branded); time and ids arrive here as data, so `decide` needs no clock and no randomness.
 * Each write operation of the ECR API is one command; read operations are queries.
 */
import type { AccountSettingsCommand } from "./account-settings/account-settings-commands.js";
import type { ArchiveCommand } from "./archive/archive-commands.js";
import type { CreationTemplateCommand } from "./creation-templates/template-commands.js";
import type { GarbageCollectionCommand } from "./garbage-collection/gc-commands.js";
import type { ImageCommand } from "./images/image-commands.js";
import { StreamNames } from "./kernel/stream-names.js";
import type { LayerUploadCommand } from "./layer-uploads/layer-upload-commands.js";
import type { LifecycleCommand } from "./lifecycle/lifecycle-commands.js";
import type { PolicyCommand } from "./policies/policy-commands.js";
import type { PullThroughCacheCommand } from "./pull-through-cache/cache-rule-commands.js";
import type { PullTimeExclusionCommand } from "./pull-time-exclusions/exclusion-commands.js";
import type { RegistrySettingsCommand } from "./registry-settings/registry-settings-commands.js";
import type { ReplicationCommand } from "./replication/replication-commands.js";
import type { RepositoryCommand } from "./repositories/repository-commands.js";
import type { ScanningCommand } from "./scanning/scanning-commands.js";
import type { SigningCommand } from "./signing/signing-commands.js";

export type BerthCommand =
  | RepositoryCommand
  | ImageCommand
  | LayerUploadCommand
  | PolicyCommand
  | RegistrySettingsCommand
  | LifecycleCommand
  | ScanningCommand
  | AccountSettingsCommand
  | ArchiveCommand
  | SigningCommand
  | PullTimeExclusionCommand
  | PullThroughCacheCommand
  | CreationTemplateCommand
  | GarbageCollectionCommand
  | ReplicationCommand;

export type BerthCommandType = BerthCommand["type"];

/**
 * The stream a command's events go to: its upload for parts, its registry for registry-wide
 * settings, else its repository. Engines serialize commands per stream with it.
 */
export const streamOfCommand = (command: BerthCommand): string => {
  switch (command.type) {
    case "UploadLayerPart":
    case "ReleaseUploadBytes":
      return StreamNames.upload(command.data.uploadId);
    case "PutRegistryPolicy":
    case "DeleteRegistryPolicy":
    case "PutRegistrySettings":
    case "PutRegistryScanningConfiguration":
    case "PutAccountSetting":
    case "PutSigningConfiguration":
    case "DeleteSigningConfiguration":
    case "RegisterPullTimeUpdateExclusion":
    case "DeregisterPullTimeUpdateExclusion":
    case "CreatePullThroughCacheRule":
    case "UpdatePullThroughCacheRule":
    case "DeletePullThroughCacheRule":
    case "CreateRepositoryCreationTemplate":
    case "UpdateRepositoryCreationTemplate":
    case "DeleteRepositoryCreationTemplate":
    case "PutReplicationConfiguration":
    case "StartReplicationBackfill":
    case "PrepareReplicationBackfill":
    case "StopReplicationBackfill":
      return StreamNames.registry(command.data.registryId);
    case "CollectBlob":
    case "RetainBlob":
    case "ForgetBlob":
      return StreamNames.blob(command.data.digest);
    case "RecordImagePulls":
      return StreamNames.pulls(command.data.registryId);
    default:
      return StreamNames.repository(command.data.registryId, command.data.repositoryName);
  }
};
