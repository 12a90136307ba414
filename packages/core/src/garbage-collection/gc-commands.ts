/**
 * Commands of blob garbage collection. The background sweep sends them with the time it is and
 * the grace period it runs with; the core decides, against state, whether each is still due, so a
 * push that got there first wins and the sweep's command records nothing.
 */
import type { Command, RepositoryRef } from "../kernel/message.js";
import type { Digest, Timestamp } from "../values/primitives.js";

/** What every decision of the sweep is given: the time, and how long a blob must have been idle. */
interface SweepTime {
  readonly now: Timestamp;
  /** Milliseconds a blob must have been unreferenced before it is collected. */
  readonly gracePeriod: number;
}

/**
 * Unlinks an idle blob from one repository, in that repository's stream: a PutImage racing it
 * conflicts on the stream's version and is decided again, so exactly one of the two wins.
 */
export type CollectLayer = Command<
  "CollectLayer",
  RepositoryRef & { readonly layerDigest: Digest } & SweepTime
>;
/** Condemns an idle blob that no repository links any more; its bytes are deleted after. */
export type CollectBlob = Command<"CollectBlob", { readonly digest: Digest } & SweepTime>;
/**
 * Keeps a blob about to be linked again (an upload of the same bytes completing, a mount) from
 * being collected: in the blob's stream, so it and a CollectBlob are ordered, one after the other.
 */
export type RetainBlob = Command<
  "RetainBlob",
  {
    readonly digest: Digest;
    /** The upload id of the upload that will link it, or a fresh id for a mount. */
    readonly retentionId: string;
    /** When the retention lapses if nothing ends it before (the upload's deadline, say). */
    readonly until: Timestamp;
    readonly now: Timestamp;
  }
>;
/** Records that a condemned blob's bytes left the blob store (sent after they did). */
export type ForgetBlob = Command<"ForgetBlob", { readonly digest: Digest }>;

export type GarbageCollectionCommand = CollectLayer | CollectBlob | RetainBlob | ForgetBlob;
