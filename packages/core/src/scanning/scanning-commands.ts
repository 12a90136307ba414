/** Commands of image scanning: configuration, starting a scan, recording its outcome. */
import type { ImageIdentifier } from "../images/image-identifier.js";
import type { Command, RepositoryRef } from "../kernel/message.js";
import type { Digest, RegistryId, Timestamp } from "../values/primitives.js";
import type { RegistryScanningRule, ScanFinding, ScanType } from "./scan-values.js";

export type PutImageScanningConfiguration = Command<
  "PutImageScanningConfiguration",
  RepositoryRef & { readonly scanOnPush: boolean }
>;
export type PutRegistryScanningConfiguration = Command<
  "PutRegistryScanningConfiguration",
  {
    readonly registryId: RegistryId;
    readonly scanType?: ScanType;
    readonly rules?: ReadonlyArray<RegistryScanningRule>;
  }
>;
export type StartImageScan = Command<
  "StartImageScan",
  RepositoryRef & { readonly imageId: ImageIdentifier; readonly startedAt: Timestamp }
>;

/** What a scanner made of an image. */
export type ScanOutcome =
  | {
      readonly status: "COMPLETE";
      readonly findings: ReadonlyArray<ScanFinding>;
      readonly vulnerabilitySourceUpdatedAt?: Timestamp;
    }
  | { readonly status: "FAILED"; readonly reason: string };

/**
 * Records how the scan that started at `startedAt` ended. Idempotent: once that scan is no longer
 * in progress (recorded already, superseded, its image deleted), it records nothing.
 */
export type RecordImageScan = Command<
  "RecordImageScan",
  RepositoryRef & {
    readonly imageDigest: Digest;
    readonly startedAt: Timestamp;
    readonly outcome: ScanOutcome;
    readonly recordedAt: Timestamp;
  }
>;

export type ScanningCommand =
  | PutImageScanningConfiguration
  | PutRegistryScanningConfiguration
  | StartImageScan
  | RecordImageScan;
