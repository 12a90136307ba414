/**
 * When a blob is garbage, as a pure function of the state, `now` and the grace period: no image
 * in any repository references it, and none has for `gracePeriod` (nor was it linked or retained
 * in that time). The engine only decides when to ask.
 */
import type { BlobState, RegistryState } from "../kernel/registry-state.js";
import type { Digest, Timestamp } from "../values/primitives.js";

/** How long a blob stays after its last reference went, when nothing else is said: one hour. */
export const DEFAULT_GC_GRACE_MS = 60 * 60 * 1000;

/** Idle for the whole grace period (at exactly its end, too), and not condemned already. */
export const isBlobCollectable = (entry: BlobState, now: Timestamp, gracePeriod: number): boolean =>
  entry.collected !== true &&
  entry.references === 0 &&
  entry.idleSince !== undefined &&
  now - entry.idleSince >= gracePeriod &&
  ![...(entry.retainedFor?.values() ?? [])].some((until) => until > now);

export interface CollectableBlob {
  readonly digest: Digest;
  readonly size: number;
  /** `registryId/repositoryName` of the repositories it is still a layer of. */
  readonly linkedBy: ReadonlyArray<string>;
  /** Condemned already (a sweep stopped before deleting its bytes). */
  readonly condemned: boolean;
}

/** The blobs a sweep at `now` reclaims: the collectable ones, and the condemned ones left over. */
export const collectableBlobs = (
  state: RegistryState,
  now: Timestamp,
  gracePeriod: number,
): ReadonlyArray<CollectableBlob> =>
  [...state.blobs.values()]
    .filter((entry) => entry.collected === true || isBlobCollectable(entry, now, gracePeriod))
    .map((entry) => ({
      digest: entry.digest,
      size: entry.size,
      linkedBy: [...entry.linkedBy],
      condemned: entry.collected === true,
    }));

/** When the next blob becomes collectable (or 0, when a condemned one awaits deletion). */
export const nextCollectionDue = (state: RegistryState, gracePeriod: number): Timestamp | undefined => {
  let next: number | undefined;
  for (const entry of state.blobs.values()) {
    const retained = Math.max(0, ...(entry.retainedFor?.values() ?? []));
    const due = entry.collected
      ? 0
      : entry.references === 0 && entry.idleSince !== undefined
        ? Math.max(entry.idleSince + gracePeriod, retained)
        : undefined;
    if (due !== undefined && (next === undefined || due < next)) next = due;
  }
  return next as Timestamp | undefined;
};
