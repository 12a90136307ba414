/** How the repository lifecycle events change the state. */

import { repositoryKey, repositoryStep } from "../kernel/registry-state.js";
import type { EvolveTable } from "../kernel/slice.js";
import type { RepositoryLifecycleEvent } from "./repository-events.js";

export const evolveRepository: EvolveTable<RepositoryLifecycleEvent> = {
  RepositoryCreated: (draft, { data: d }) => {
    const key = repositoryKey(d.registryId, d.repositoryName);
    draft.repositories.set(key, {
      registryId: d.registryId,
      name: d.repositoryName,
      soleLinker: Object.freeze([key]),
      createdAt: d.createdAt,
      imageTagMutability: d.imageTagMutability,
      imageTagMutabilityExclusionFilters: d.imageTagMutabilityExclusionFilters,
      scanOnPush: d.scanOnPush,
      encryptionType: d.encryptionType,
      kmsKey: d.kmsKey,
      images: new Map(),
      tags: new Map(),
      pushOrder: { seqs: [], digests: [], dead: 0 },
      nextSeq: 1,
      layers: new Map(),
      blobReferences: new Map(),
      childReferences: new Map(),
      referrers: new Map(),
      openUploads: new Map(),
      expiredUploads: new Map(),
      policyText: undefined,
      resourceTags: new Map(d.tags.map((tag) => [tag.Key, tag.Value])),
      lifecyclePolicyText: undefined,
      lifecycleEvaluatedAt: undefined,
      lifecyclePreview: undefined,
    });
  },
  // The repository's open uploads go with it (their own streams may never close them); their
  // bytes are released by the background sweep.
  RepositoryDeleted: repositoryStep((repository, event, draft) => {
    for (const uploadId of repository.openUploads.keys()) {
      draft.uploads.delete(uploadId);
      draft.releasableUploads.set(uploadId, repository.registryId);
    }
    draft.repositories.delete(repositoryKey(event.data.registryId, event.data.repositoryName));
  }),
  ImageTagMutabilityChanged: repositoryStep((repository, { data }) => {
    repository.imageTagMutability = data.imageTagMutability;
    repository.imageTagMutabilityExclusionFilters = data.imageTagMutabilityExclusionFilters;
  }),
};
