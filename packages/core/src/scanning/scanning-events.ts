/** Events of image scanning. */
import type { Event, RepositoryRef } from "../kernel/message.js";
import type { Digest, RegistryId, Timestamp } from "../values/primitives.js";
import type { RegistryScanningRule, ScanFinding, ScanType } from "./scan-values.js";

/** A repository's own scanOnPush (ECR's repository-level ImageScanningConfiguration). */
export type ImageScanningConfigurationChanged = Event<
  "ImageScanningConfigurationChanged",
  RepositoryRef & { readonly scanOnPush: boolean }
>;
/** The registry's scanning configuration, replaced whole. */
export type RegistryScanningConfigurationChanged = Event<
  "RegistryScanningConfigurationChanged",
  {
    readonly registryId: RegistryId;
    readonly scanType: ScanType;
    readonly rules: ReadonlyArray<RegistryScanningRule>;
  }
>;
/** A scan is in progress: the engine's scan worker picks it up from here (restart-safe). */
export type ImageScanStarted = Event<
  "ImageScanStarted",
  RepositoryRef & { readonly imageDigest: Digest; readonly startedAt: Timestamp }
>;
export type ImageScanCompleted = Event<
  "ImageScanCompleted",
  RepositoryRef & {
    readonly imageDigest: Digest;
    readonly startedAt: Timestamp;
    readonly completedAt: Timestamp;
    readonly findings: ReadonlyArray<ScanFinding>;
    readonly vulnerabilitySourceUpdatedAt?: Timestamp;
  }
>;
export type ImageScanFailed = Event<
  "ImageScanFailed",
  RepositoryRef & {
    readonly imageDigest: Digest;
    readonly startedAt: Timestamp;
    readonly failedAt: Timestamp;
    readonly reason: string;
  }
>;

export type ScanningEvent =
  | ImageScanningConfigurationChanged
  | RegistryScanningConfigurationChanged
  | ImageScanStarted
  | ImageScanCompleted
  | ImageScanFailed;
