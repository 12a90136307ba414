/** How garbage collection events change the state: layers unlinked, blobs condemned or forgotten. */
import { repositoryStep } from "../kernel/registry-state.js";
import type { EvolveTable } from "../kernel/slice.js";
import { entryWith, retain, unlinkBlob } from "./blob-references.js";
import type { GarbageCollectionEvent } from "./gc-events.js";

export const evolveGarbageCollection: EvolveTable<GarbageCollectionEvent> = {
  LayerCollected: repositoryStep((repository, { data }, draft) => {
    unlinkBlob(draft, repository, data.layerDigest);
    repository.layers.delete(data.layerDigest);
  }),
  BlobCollected: (draft, { data }) => {
    const entry = draft.blobs.get(data.digest);
    if (entry !== undefined) draft.blobs.set(data.digest, entryWith(entry, { collected: true }));
  },
  BlobRetained: (draft, { data }) => retain(draft, data),
  BlobDeleted: (draft, { data }) => {
    draft.blobs.delete(data.digest);
  },
};
