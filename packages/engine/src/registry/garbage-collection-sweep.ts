/**
 * The blob garbage collection sweep, driven from the log alone. For each blob that nothing has
 * referenced for the grace period, in this order:
 * 1. `CollectLayer` in each repository that still links it, in that repository's stream: a PutImage
 *    racing it conflicts on the stream's version, and whichever is decided second sees the other
 *    (the push then fails with LayersNotFoundException, or the blob is referenced and stays);
 * 2. `CollectBlob` in the blob's stream, once no repository links it: a `RetainBlob` (an upload of
 *    the same bytes completing, a mount) racing it is ordered before or after it there (an upload
 *    of bytes the log has never heard of needs no retention: nothing can condemn them first);
 * 3. the bytes are deleted from the blob store, only after the collection is committed;
 * 4. `ForgetBlob` records that they are gone. A crash before it leaves the blob condemned in the
 *    state, and the next sweep deletes its bytes again (deleting is idempotent).
 */
import {
  type CollectableBlob,
  collectableBlobs,
  type Digest,
  type RegistryId,
  type RepositoryName,
} from "@berth/core";
import type { RegistryRuntime } from "./registry-runtime.js";

export interface ReclaimedBlob {
  readonly digest: Digest;
  readonly size: number;
}

export interface GarbageCollectionReport {
  /** The blobs whose bytes were deleted (or, in a dry run, would be). */
  readonly blobs: ReadonlyArray<ReclaimedBlob>;
  /** Their total size in bytes. */
  readonly bytes: number;
}

const reportOf = (blobs: ReadonlyArray<ReclaimedBlob>): GarbageCollectionReport => ({
  blobs,
  bytes: blobs.reduce((sum, blob) => sum + blob.size, 0),
});

/** `registryId/repositoryName` back into a ref: registry ids are 12 digits, names may hold slashes. */
const refOfKey = (key: string) => {
  const slash = key.indexOf("/");
  return {
    registryId: key.slice(0, slash) as RegistryId,
    repositoryName: key.slice(slash + 1) as RepositoryName,
  };
};

/** Steps 1 and 2 for one blob: true when it is condemned, false when something kept it. */
const condemn = async (runtime: RegistryRuntime, blob: CollectableBlob): Promise<boolean> => {
  const { handler, gcGrace: gracePeriod } = runtime;
  const now = runtime.now();
  for (const key of blob.linkedBy) {
    const unlinked = await handler.execute({
      type: "CollectLayer",
      data: { ...refOfKey(key), layerDigest: blob.digest, now, gracePeriod },
    });
    if (unlinked._tag === "Left") return false;
  }
  const collected = await handler.execute({
    type: "CollectBlob",
    data: { digest: blob.digest, now, gracePeriod },
  });
  return collected._tag === "Right" && collected.right.events.length > 0;
};

export const sweepGarbage = async (
  runtime: RegistryRuntime,
  options: { readonly dryRun?: boolean } = {},
): Promise<GarbageCollectionReport> => {
  const { handler, blobs } = runtime;
  await handler.catchUp();
  const candidates = collectableBlobs(handler.state, runtime.now(), runtime.gcGrace);
  if (options.dryRun === true) return reportOf(candidates.map(({ digest, size }) => ({ digest, size })));
  const reclaimed: ReclaimedBlob[] = [];
  for (const blob of candidates) {
    if (!blob.condemned && !(await condemn(runtime, blob))) continue;
    await blobs.delete(blob.digest);
    await handler.execute({ type: "ForgetBlob", data: { digest: blob.digest } });
    reclaimed.push({ digest: blob.digest, size: blob.size });
  }
  return reportOf(reclaimed);
};
