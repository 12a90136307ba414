/** Stream names: stable, human-readable, and derivable from an event alone. */
import type { Digest, RegistryId, RepositoryName, UploadId } from "../values/primitives.js";

export const StreamNames = {
  repository: (registryId: RegistryId, name: RepositoryName) => `repository-${registryId}-${name}`,
  upload: (uploadId: UploadId) => `upload-${uploadId}`,
  registry: (registryId: RegistryId) => `registry-${registryId}`,
  /** The registry's pull records: one stream for every repository, so one append records many pulls. */
  pulls: (registryId: RegistryId) => `pulls-${registryId}`,
  /** Garbage collection of one blob (global, as blobs are): its condemnation and its retentions. */
  blob: (digest: Digest) => `blob-${digest}`,
} as const;
