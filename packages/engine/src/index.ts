export * from "./adapter-kit/index.js";
export * from "./command-handler.js";
export * from "./layer-bytes.js";
export * from "./lifecycle-schedule.js";
export * from "./ports/blob-store.js";
export * from "./ports/event-store.js";
export * from "./ports/joint-steps.js";
export * from "./ports/scanner.js";
export * from "./ports/snapshot-store.js";
export * from "./ports/storage-busy-error.js";
export * from "./ports/upstream-registry.js";
export * from "./registry/account-settings-operations.js";
export * from "./registry/archive-operations.js";
export type { BackgroundSweepOptions, BackgroundSweeps, SweepReport } from "./registry/background-sweeps.js";
export * from "./registry/creation-template-operations.js";
export type { GarbageCollectionReport, ReclaimedBlob } from "./registry/garbage-collection-sweep.js";
export * from "./registry/image-operations.js";
export * from "./registry/layer-operations.js";
export * from "./registry/lifecycle-operations.js";
export * from "./registry/maintenance-operations.js";
export * from "./registry/manifest-reader.js";
export * from "./registry/policy-operations.js";
export { PULL_RECORD_DELAY_MS, PULL_RECORD_MAX_IMAGES } from "./registry/pull-recorder.js";
export * from "./registry/pull-through-cache-operations.js";
export * from "./registry/registry.js";
export type {
  AnswerOf,
  RegistryInput,
  RegistryOptions,
  RepositoryInput,
  Result,
  WithRegistry,
} from "./registry/registry-runtime.js";
export * from "./registry/registry-settings-operations.js";
export * from "./registry/replication-operations.js";
export * from "./registry/replication-worker.js";
export * from "./registry/repository-operations.js";
export * from "./registry/scan-worker.js";
export * from "./registry/scanning-operations.js";
export type { UploadExpiryReport } from "./registry/upload-expiry-sweep.js";
export * from "./scanners/findings-file-scanner.js";
export {
  decodeSnapshotBytes,
  type EncodedSnapshot,
  encodeSnapshotBytes,
} from "./snapshots/snapshot-bytes.js";
export {
  DEFAULT_SNAPSHOT_EVERY_EVENTS,
  DEFAULT_SNAPSHOT_EVERY_MS,
  type SnapshotOptions,
  type SnapshotReport,
} from "./snapshots/state-snapshots.js";
export * from "./storable-text.js";
