/**
 * The sweep's decisions. Each is idempotent: a command that finds nothing to do (the blob was
 * referenced again, retained, or collected by another sweep) records nothing, so sweeps in several
 * processes, or a sweep run again after a crash, agree.
 */
import { decisionsOf } from "../kernel/decision.js";
import { findRepository, type RegistryState } from "../kernel/registry-state.js";
import { isBlobCollectable } from "./blob-collection.js";
import type { CollectBlob, CollectLayer, ForgetBlob, RetainBlob } from "./gc-commands.js";
import type { GarbageCollectionEvent } from "./gc-events.js";

const { accept } = decisionsOf<GarbageCollectionEvent>();

export const decideCollectLayer = (state: RegistryState, { data }: CollectLayer) => {
  const repository = findRepository(state, data.registryId, data.repositoryName);
  const entry = state.blobs.get(data.layerDigest);
  if (repository === undefined || !repository.layers.has(data.layerDigest) || entry === undefined) {
    return accept();
  }
  return isBlobCollectable(entry, data.now, data.gracePeriod)
    ? accept({
        type: "LayerCollected",
        data: {
          registryId: data.registryId,
          repositoryName: data.repositoryName,
          layerDigest: data.layerDigest,
          collectedAt: data.now,
        },
      })
    : accept();
};

export const decideCollectBlob = (state: RegistryState, { data }: CollectBlob) => {
  const entry = state.blobs.get(data.digest);
  return entry !== undefined &&
    entry.linkedBy.length === 0 &&
    isBlobCollectable(entry, data.now, data.gracePeriod)
    ? accept({
        type: "BlobCollected",
        data: { digest: data.digest, size: entry.size, collectedAt: data.now },
      })
    : accept();
};

/** Idempotent: a retention already recorded records nothing again. */
export const decideRetainBlob = (state: RegistryState, { data }: RetainBlob) =>
  state.blobs.get(data.digest)?.retainedFor?.has(data.retentionId) === true
    ? accept()
    : accept({
        type: "BlobRetained",
        data: { digest: data.digest, retentionId: data.retentionId, until: data.until, retainedAt: data.now },
      });

export const decideForgetBlob = (state: RegistryState, { data }: ForgetBlob) =>
  state.blobs.get(data.digest)?.collected === true
    ? accept({ type: "BlobDeleted", data: { digest: data.digest } })
    : accept();
