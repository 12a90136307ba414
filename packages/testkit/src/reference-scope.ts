/**
 * What the reference registry models: the commands clients send to the capabilities it reimplements.
 * The others have example and property tests of their own in packages/core/test.
 */
import type { BerthCommand } from "@berth/core";

/** The background sweeps' commands (upload expiry, garbage collection): no client sends them. */
const SWEEP_COMMANDS = [
  "ExpireLayerUpload",
  "ReleaseUploadBytes",
  "CollectLayer",
  "CollectBlob",
  "RetainBlob",
  "ForgetBlob",
] as const satisfies ReadonlyArray<BerthCommand["type"]>;

/**
 * Scanning, account settings, lifecycle policies, the archive, pull-through cache rules, creation
 * templates, replication, and the sweeps.
 */
const UNMODELLED = [
  "PutRegistryScanningConfiguration",
  "PutImageScanningConfiguration",
  "StartImageScan",
  "RecordImageScan",
  "PutAccountSetting",
  "PutLifecyclePolicy",
  "DeleteLifecyclePolicy",
  "StartLifecyclePolicyPreview",
  "ApplyLifecyclePolicy",
  "UpdateImageStorageClass",
  "RecordImagePulls",
  "CreatePullThroughCacheRule",
  "UpdatePullThroughCacheRule",
  "DeletePullThroughCacheRule",
  "CreateRepositoryCreationTemplate",
  "UpdateRepositoryCreationTemplate",
  "DeleteRepositoryCreationTemplate",
  "CreateRepositoryFromTemplate",
  "PutReplicationConfiguration",
  "ReplicateImage",
  "RecordImageReplication",
  "StartReplicationBackfill",
  "StartBackfillReplications",
  "PrepareReplicationBackfill",
  "StopReplicationBackfill",
  ...SWEEP_COMMANDS,
] as const satisfies ReadonlyArray<BerthCommand["type"]>;

export type SweepCommand = Extract<BerthCommand, { readonly type: (typeof SWEEP_COMMANDS)[number] }>;
type UnmodelledCommand = Extract<BerthCommand, { readonly type: (typeof UNMODELLED)[number] }>;
export type ModelledCommand = Exclude<BerthCommand, UnmodelledCommand>;

export const isSweepCommand = (command: BerthCommand): command is SweepCommand =>
  (SWEEP_COMMANDS as ReadonlyArray<string>).includes(command.type);
export const isUnmodelled = (command: BerthCommand): command is UnmodelledCommand =>
  (UNMODELLED as ReadonlyArray<string>).includes(command.type);
