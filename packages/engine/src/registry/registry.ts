/**
 * The registry as a library: `interface Registry`, one documented method per ECR operation (plus
 * what the OCI API needs), grouped by capability, each in its own file beside its implementation.
 * Writes are core commands run by the CommandHandler; reads are core queries over caught-up state;
 * layer bytes stream into the BlobStore and only their measured size and sha256 reach the core.
 *
 * Every method resolves to an Either: Left is a RegistryError named like ECR's exception (a fault
 * the caller can fix); infrastructure failures (the database is down) reject the promise.
 */
import type { Digest, QueryContext, RegistryState } from "@berth/core";
import * as E from "fp-ts/lib/Either.js";
import { noFindingsScanner } from "../ports/scanner.js";
import { type AccountSettingsOperations, accountSettingsOperations } from "./account-settings-operations.js";
import { type ArchiveOperations, archiveOperations } from "./archive-operations.js";
import {
  type CreationTemplateOperations,
  creationTemplateOperations,
} from "./creation-template-operations.js";
import { type ImageOperations, imageOperations } from "./image-operations.js";
import { type LayerOperations, layerOperations } from "./layer-operations.js";
import { type LifecycleOperations, lifecycleOperations } from "./lifecycle-operations.js";
import { type MaintenanceOperations, maintenanceOperations } from "./maintenance-operations.js";
import { type PolicyOperations, policyOperations } from "./policy-operations.js";
import {
  type PullThroughCacheOperations,
  pullThroughCacheOperations,
} from "./pull-through-cache-operations.js";
import { createPullThroughFill } from "./pull-through-fill.js";
import {
  createRegistryRuntime,
  type RegistryOptions,
  type RepositoryInput,
  type Result,
} from "./registry-runtime.js";
import {
  type RegistrySettingsOperations,
  registrySettingsOperations,
} from "./registry-settings-operations.js";
import { type ReplicationOperations, replicationOperations } from "./replication-operations.js";
import { type RepositoryOperations, repositoryOperations } from "./repository-operations.js";
import type { ScanWorkerOptions } from "./scan-worker.js";
import { type ScanningOperations, scanningOperations } from "./scanning-operations.js";
import { type SigningOperations, signingOperations } from "./signing-operations.js";

export interface Registry
  extends RepositoryOperations,
    ImageOperations,
    LayerOperations,
    PolicyOperations,
    RegistrySettingsOperations,
    LifecycleOperations,
    ScanningOperations,
    AccountSettingsOperations,
    ArchiveOperations,
    SigningOperations,
    PullThroughCacheOperations,
    CreationTemplateOperations,
    ReplicationOperations,
    MaintenanceOperations {
  /** The folded state (read it right after awaiting a method or `catchUp`). */
  readonly state: RegistryState;
  /** Folds every event committed before the call (another process's writes included). */
  catchUp(): Promise<void>;
  /** Writes a snapshot of the folded state now (with `snapshots` in the options; else does nothing). */
  saveSnapshot(): Promise<void>;
  /** Stops writing snapshots in the background, waiting for one under way. */
  stopSnapshots(): Promise<void>;
  /** Region and host used in ARNs and repository URIs. */
  readonly context: QueryContext;
  /** How long upload sessions stay open, and blobs once nothing references them (milliseconds). */
  readonly uploadTtl: number;
  readonly gcGrace: number;
  /** Runs the scan worker and the replication worker until `signal` aborts (what `berth serve` runs). */
  runWorkers(options: ScanWorkerOptions): Promise<void>;
}

export const createRegistry = (options: RegistryOptions): Registry => {
  const runtime = createRegistryRuntime(options);
  const layers = layerOperations(runtime);
  const images = imageOperations(runtime);
  // Pulls of a cache repository fill what it does not hold yet before they read (pull-through-fill.ts).
  const fill = createPullThroughFill(runtime, layers, images, options);
  const templates = creationTemplateOperations(runtime);
  const blobFilled =
    <I extends RepositoryInput, A>(digestOf: (input: I) => string, read: (input: I) => Result<A>) =>
    async (input: I): Result<A> => {
      const filled = await fill.ensureBlob(runtime.refOf(input), digestOf(input));
      return E.isLeft(filled) ? filled : read(input);
    };
  const scanning = scanningOperations(runtime, {
    events: options.events,
    scanner: options.scanner ?? noFindingsScanner,
    ...(options.scanTimeoutMs === undefined ? {} : { scanTimeoutMs: options.scanTimeoutMs }),
    readBlob: async (ref, digest) => {
      const read = await layers.readBlob({ ...ref, digest: digest as Digest });
      if (E.isLeft(read)) throw new Error(read.left.message);
      return read.right;
    },
  });
  const replication = replicationOperations(runtime, options.events, templates);
  return {
    get state() {
      return runtime.handler.state;
    },
    catchUp: () => runtime.handler.catchUp(),
    saveSnapshot: async () => runtime.snapshots?.saveNow(),
    stopSnapshots: async () => runtime.snapshots?.stop(),
    context: runtime.context,
    uploadTtl: runtime.uploadTtl,
    gcGrace: runtime.gcGrace,
    ...repositoryOperations(runtime),
    ...images,
    batchGetImage: async (input) => {
      const ref = runtime.refOf(input);
      for (const imageId of input.imageIds) {
        const filled = await fill.ensureImage(ref, imageId);
        if (E.isLeft(filled)) return filled;
      }
      return images.batchGetImage(input);
    },
    ...layers,
    statBlob: blobFilled((input) => input.digest, layers.statBlob),
    readBlob: blobFilled((input) => input.digest, layers.readBlob),
    getDownloadableLayer: blobFilled((input) => input.layerDigest, layers.getDownloadableLayer),
    ...policyOperations(runtime),
    ...registrySettingsOperations(runtime),
    ...lifecycleOperations(runtime),
    ...scanning,
    ...accountSettingsOperations(runtime),
    ...archiveOperations(runtime),
    ...signingOperations(runtime),
    ...pullThroughCacheOperations(runtime, options),
    ...templates,
    ...replication,
    runWorkers: async (workerOptions) => {
      await Promise.all([
        scanning.runScanWorker(workerOptions),
        replication.runReplicationWorker(workerOptions),
      ]);
    },
    ...maintenanceOperations(runtime),
  };
};
