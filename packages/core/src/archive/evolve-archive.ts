/** How pull records and storage-class changes change an image. */
import { repositoryKey, repositoryStep } from "../kernel/registry-state.js";
import type { EvolveTable } from "../kernel/slice.js";
import type { ArchiveEvent } from "./archive-events.js";
import { activateImage, archiveImage } from "./image-status.js";

export const evolveArchive: EvolveTable<ArchiveEvent> = {
  ImagePullsRecorded: (draft, { data }) => {
    for (const { repositoryName, imageDigests } of data.pulls) {
      const images = draft.repositories.get(repositoryKey(data.registryId, repositoryName))?.images;
      for (const digest of imageDigests) {
        const image = images?.get(digest);
        if (image !== undefined) image.lastPulledAt = data.pulledAt;
      }
    }
  },
  ImagePullRecorded: repositoryStep((repository, { data }) => {
    const image = repository.images.get(data.imageDigest);
    if (image !== undefined) image.lastPulledAt = data.pulledAt;
  }),
  ImageArchived: repositoryStep((repository, { data }) => {
    const image = repository.images.get(data.imageDigest);
    if (image !== undefined) archiveImage(image, data.archivedAt);
  }),
  ImageActivated: repositoryStep((repository, { data }) => {
    const image = repository.images.get(data.imageDigest);
    if (image !== undefined) activateImage(image, data.activatedAt);
  }),
};
