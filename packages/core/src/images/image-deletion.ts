/** BatchDeleteImage (the DeleteImages command): the plan of what a batch removes, and its decision. */
import * as E from "fp-ts/lib/Either.js";
import { pipe } from "fp-ts/lib/function.js";
import { type RegistryState, type RepositoryState, requireRepository } from "../kernel/registry-state.js";
import type { Digest, ImageTag } from "../values/primitives.js";
import type { DeleteImages } from "./image-commands.js";
import type { ImageEvent } from "./image-events.js";
import { checkImageId, type ImageFailure, ImageFailures } from "./image-identifier.js";
import { imageTags } from "./image-tags.js";

export interface ImageDeletionPlan {
  readonly events: ReadonlyArray<ImageEvent>;
  /** What was deleted, one entry per removed tag (or the digest alone for an untagged image). */
  readonly imageIds: ReadonlyArray<{ readonly imageDigest: Digest; readonly imageTag?: ImageTag }>;
  readonly failures: ReadonlyArray<ImageFailure>;
}

/**
 * BatchDeleteImage: by tag removes the tag (the image goes with its last tag); by digest removes the
 * image and all its tags; digest and tag together remove the tag after checking it names that
 * digest. Ids are handled in order, each against the effect of the ones before it.
 */
export const planImageDeletion = (repository: RepositoryState, { data }: DeleteImages): ImageDeletionPlan => {
  const ref = { registryId: data.registryId, repositoryName: data.repositoryName };
  const events: ImageEvent[] = [];
  const imageIds: Array<{ imageDigest: Digest; imageTag?: ImageTag }> = [];
  const failures: ImageFailure[] = [];
  const deleted = new Set<Digest>();
  const untagged = new Set<ImageTag>();
  const released = new Map<Digest, number>();

  const tagsLeft = (digest: Digest) => {
    const image = repository.images.get(digest);
    return image === undefined ? [] : imageTags(image).filter((tag) => !untagged.has(tag));
  };
  const referencedByIndex = (digest: Digest) =>
    (repository.childReferences.get(digest) ?? 0) - (released.get(digest) ?? 0) > 0;
  const deleteImage = (digest: Digest) => {
    deleted.add(digest);
    for (const child of repository.images.get(digest)?.children ?? []) {
      released.set(child, (released.get(child) ?? 0) + 1);
    }
    events.push({ type: "ImageDeleted", data: { ...ref, imageDigest: digest, deletedAt: data.deletedAt } });
  };

  for (const id of data.imageIds) {
    const checked = checkImageId(id);
    if (E.isLeft(checked)) {
      failures.push(checked.left);
      continue;
    }
    const tag = checked.right.imageTag;
    // A tag removed earlier in the batch names nothing, whatever digest comes with it.
    const digest =
      tag !== undefined
        ? untagged.has(tag)
          ? undefined
          : repository.tags.get(tag)
        : checked.right.imageDigest;
    if (digest === undefined || deleted.has(digest) || !repository.images.has(digest)) {
      failures.push(ImageFailures.notFound(id));
      continue;
    }
    if (id.imageDigest !== undefined && id.imageDigest !== digest) {
      failures.push(ImageFailures.tagDoesNotMatchDigest(id));
      continue;
    }
    if (tag !== undefined) {
      const lastTag = tagsLeft(digest).length === 1;
      if (lastTag && referencedByIndex(digest)) {
        failures.push(ImageFailures.referencedByManifestList(id));
        continue;
      }
      untagged.add(tag);
      imageIds.push({ imageDigest: digest, imageTag: tag });
      if (lastTag) deleteImage(digest);
      else events.push({ type: "ImageUntagged", data: { ...ref, imageDigest: digest, imageTag: tag } });
      continue;
    }
    if (referencedByIndex(digest)) {
      failures.push(ImageFailures.referencedByManifestList(id));
      continue;
    }
    const tags = tagsLeft(digest);
    for (const t of tags) untagged.add(t);
    if (tags.length === 0) imageIds.push({ imageDigest: digest });
    else for (const t of tags) imageIds.push({ imageDigest: digest, imageTag: t });
    deleteImage(digest);
  }
  return { events, imageIds, failures };
};

export const decideDeleteImages = (state: RegistryState, command: DeleteImages) =>
  pipe(
    requireRepository(state, command.data),
    E.map((repository) => planImageDeletion(repository, command).events),
  );
