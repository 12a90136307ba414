/** Events of blob garbage collection: only digests, sizes and times, never bytes. */
import type { Event, RepositoryRef } from "../kernel/message.js";
import type { Digest, Timestamp } from "../values/primitives.js";

/**
 * An idle blob is no longer a layer of this repository (repository stream): a later PutImage that
 * references it is refused with LayersNotFoundException.
 */
export type LayerCollected = Event<
  "LayerCollected",
  RepositoryRef & { readonly layerDigest: Digest; readonly collectedAt: Timestamp }
>;
/** The blob is condemned (blob stream): nothing links or references it; its bytes go next. */
export type BlobCollected = Event<
  "BlobCollected",
  { readonly digest: Digest; readonly size: number; readonly collectedAt: Timestamp }
>;
/**
 * The blob is about to be linked (blob stream): it is not collected while the retention lasts (until
 * its upload closes, its mount links it, or `until`), and it is idle from `retainedAt` on, if at all.
 */
export type BlobRetained = Event<
  "BlobRetained",
  {
    readonly digest: Digest;
    readonly retentionId: string;
    readonly until: Timestamp;
    readonly retainedAt: Timestamp;
  }
>;
/** A condemned blob's bytes are gone from the blob store (blob stream); the registry forgets it. */
export type BlobDeleted = Event<"BlobDeleted", { readonly digest: Digest }>;

export type GarbageCollectionEvent = LayerCollected | BlobCollected | BlobRetained | BlobDeleted;
/** The events of a blob's own stream. */
export type BlobEvent = BlobCollected | BlobRetained | BlobDeleted;
