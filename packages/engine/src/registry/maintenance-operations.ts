/**
 * Maintenance: upload expiry and blob garbage collection, run on demand or in the background. Both
 * are decided by the core from the state and the time; these methods only decide when to ask.
 */
import {
  type BackgroundSweepOptions,
  type BackgroundSweeps,
  startBackgroundSweeps,
} from "./background-sweeps.js";
import { type GarbageCollectionReport, sweepGarbage } from "./garbage-collection-sweep.js";
import type { RegistryRuntime } from "./registry-runtime.js";
import { sweepExpiredUploads, type UploadExpiryReport } from "./upload-expiry-sweep.js";

export interface MaintenanceOperations {
  /**
   * Closes every upload session past its deadline (`uploadTtl` after it began) and drops the bytes
   * of closed sessions from the blob store.
   */
  expireUploads(): Promise<UploadExpiryReport>;
  /**
   * Deletes the blobs that no image has referenced for `gcGrace` (unlinking them from the
   * repositories that still hold them as layers first); `dryRun` only says which it would delete.
   */
  collectGarbage(options?: { readonly dryRun?: boolean }): Promise<GarbageCollectionReport>;
  /** Runs both sweeps in the background, as often as the state says they are due. */
  startBackgroundSweeps(options?: BackgroundSweepOptions): BackgroundSweeps;
}

export const maintenanceOperations = (runtime: RegistryRuntime): MaintenanceOperations => ({
  expireUploads: () => sweepExpiredUploads(runtime),
  collectGarbage: (options) => sweepGarbage(runtime, options),
  startBackgroundSweeps: (options) => startBackgroundSweeps(runtime, options),
});
