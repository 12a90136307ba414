/**
 * How lifecycle events change the state: an expired image goes exactly as BatchDeleteImage removes
 * it; a transitioned one is archived exactly as UpdateImageStorageClass archives it.
 */
import { archiveImage } from "../archive/image-status.js";
import { removeImage } from "../images/evolve-image.js";
import { repositoryStep } from "../kernel/registry-state.js";
import type { EvolveTable } from "../kernel/slice.js";
import type { LifecycleEvent } from "./lifecycle-events.js";

export const evolveLifecycle: EvolveTable<LifecycleEvent> = {
  LifecyclePolicySet: repositoryStep((repository, { data }) => {
    repository.lifecyclePolicyText = data.lifecyclePolicyText;
    repository.lifecycleEvaluatedAt = undefined;
  }),
  LifecyclePolicyDeleted: repositoryStep((repository) => {
    repository.lifecyclePolicyText = undefined;
    repository.lifecycleEvaluatedAt = undefined;
  }),
  LifecyclePolicyPreviewCompleted: repositoryStep((repository, { data }) => {
    repository.lifecyclePreview = { lifecyclePolicyText: data.lifecyclePolicyText, results: data.results };
  }),
  ImageExpired: repositoryStep((repository, { data }) => {
    const image = repository.images.get(data.imageDigest);
    if (image !== undefined) removeImage(repository, image);
  }),
  ImageTransitioned: repositoryStep((repository, { data }) => {
    const image = repository.images.get(data.imageDigest);
    if (image !== undefined) archiveImage(image, data.transitionedAt);
  }),
  LifecyclePolicyEvaluated: repositoryStep((repository, { data }) => {
    repository.lifecycleEvaluatedAt = data.evaluatedAt;
  }),
};
