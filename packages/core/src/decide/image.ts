/** PutImage and BatchDeleteImage. */
import * as E from "fp-ts/lib/Either.js";
import { pipe } from "fp-ts/lib/function.js";
import type { DeleteImages, ImageIdentifier, PutImage } from "../commands.js";
import { RegistryErrors } from "../errors.js";
import type { BerthEvent } from "../events.js";
import { type RegistryState, type RepositoryState, registrySettings, requireRepository } from "../state.js";
import { parseManifest } from "../values/manifest.js";
import { Digest, type ImageTag, ImageTag as ImageTagCodec } from "../values/primitives.js";
import { manifestDigest } from "../values/sha256.js";
import { isTagImmutable } from "../values/tag-mutability.js";
import { accept, type Decision, refuse } from "./decision.js";

const tagIsFrozen = (repository: RepositoryState, tag: ImageTag) =>
  isTagImmutable(repository.imageTagMutability, repository.imageTagMutabilityExclusionFilters, tag);

/**
 * PutImage, as ECR does it: the image is stored under the sha256 of the manifest exactly as sent;
 * the same manifest again only adds a tag; a tag names one image and, where the repository makes
 * it immutable, never moves.
 */
export const decidePutImage = (state: RegistryState, { data }: PutImage): Decision =>
  pipe(
    requireRepository(state, data),
    E.chain((repository) => {
      const digest = manifestDigest(data.imageManifest);
      if (data.imageDigest !== undefined && data.imageDigest !== digest) {
        return refuse(RegistryErrors.imageDigestDoesNotMatch(data.imageDigest, digest));
      }
      const tag = data.imageTag;
      const holder = tag === undefined ? undefined : repository.tags.get(tag);
      const ref = { registryId: data.registryId, repositoryName: data.repositoryName };

      if (repository.images.has(digest)) {
        if (tag === undefined || holder === digest)
          return refuse(RegistryErrors.imageAlreadyExists(digest, tag));
        if (holder !== undefined && tagIsFrozen(repository, tag)) {
          return refuse(RegistryErrors.imageTagAlreadyExists(tag, data.repositoryName));
        }
        return accept({
          type: "ImageTagged",
          data: { ...ref, imageDigest: digest, imageTag: tag, taggedAt: data.pushedAt },
        });
      }
      if (tag !== undefined && holder !== undefined && tagIsFrozen(repository, tag)) {
        return refuse(RegistryErrors.imageTagAlreadyExists(tag, data.repositoryName));
      }
      return pipe(
        parseManifest(data.imageManifest, data.imageManifestMediaType),
        E.chainW((manifest): Decision => {
          if (!registrySettings(state, data.registryId).lenient) {
            const missingBlobs = manifest.blobs.filter((blob) => !repository.layers.has(blob));
            if (missingBlobs.length > 0) {
              return refuse(
                RegistryErrors.layersNotFound(
                  `Layers with digests '${[...new Set(missingBlobs)].join(", ")}' required for pushing image into repository with name '${data.repositoryName}' in the registry with id '${data.registryId}' do not exist`,
                ),
              );
            }
            const missingChildren = manifest.children.filter((child) => !repository.images.has(child));
            if (missingChildren.length > 0) {
              return refuse(RegistryErrors.referencedImagesNotFound([...new Set(missingChildren)]));
            }
          }
          return accept({
            type: "ImagePushed",
            data: {
              ...ref,
              imageDigest: digest,
              imageManifest: data.imageManifest,
              imageManifestMediaType: manifest.mediaType,
              ...(manifest.artifactMediaType === undefined
                ? {}
                : { artifactMediaType: manifest.artifactMediaType }),
              ...(tag === undefined ? {} : { imageTag: tag }),
              imageSizeInBytes: manifest.size,
              blobs: manifest.blobs,
              children: manifest.children,
              ...(manifest.subject === undefined ? {} : { subject: manifest.subject }),
              pushedAt: data.pushedAt,
            },
          });
        }),
      );
    }),
  );

export type ImageFailureCode =
  | "InvalidImageDigest"
  | "InvalidImageTag"
  | "ImageTagDoesNotMatchDigest"
  | "ImageNotFound"
  | "MissingDigestAndTag"
  | "ImageReferencedByManifestList";

export interface ImageFailure {
  readonly imageId: ImageIdentifier;
  readonly failureCode: ImageFailureCode;
  readonly failureReason: string;
}

export interface ImageDeletionPlan {
  readonly events: ReadonlyArray<BerthEvent>;
  /** What was deleted, one entry per removed tag (or the digest alone for an untagged image). */
  readonly imageIds: ReadonlyArray<{ readonly imageDigest: Digest; readonly imageTag?: ImageTag }>;
  readonly failures: ReadonlyArray<ImageFailure>;
}

const failure = (
  imageId: ImageIdentifier,
  failureCode: ImageFailureCode,
  failureReason: string,
): ImageFailure => ({
  imageId,
  failureCode,
  failureReason,
});

/**
 * BatchDeleteImage: by tag removes the tag (the image goes with its last tag); by digest removes the
 * image and all its tags; digest and tag together remove the tag after checking it names that
 * digest. Ids are handled in order, each against the effect of the ones before it.
 */
export const planImageDeletion = (repository: RepositoryState, { data }: DeleteImages): ImageDeletionPlan => {
  const ref = { registryId: data.registryId, repositoryName: data.repositoryName };
  const events: BerthEvent[] = [];
  const imageIds: Array<{ imageDigest: Digest; imageTag?: ImageTag }> = [];
  const failures: ImageFailure[] = [];
  const deleted = new Set<Digest>();
  const untagged = new Set<ImageTag>();
  const released = new Map<Digest, number>();

  const tagsLeft = (digest: Digest) =>
    [...(repository.images.get(digest)?.tags ?? [])].filter((tag) => !untagged.has(tag));
  const referencedByIndex = (digest: Digest) =>
    (repository.childReferences.get(digest) ?? 0) - (released.get(digest) ?? 0) > 0;
  const deleteImage = (digest: Digest) => {
    deleted.add(digest);
    for (const child of repository.images.get(digest)?.children ?? []) {
      released.set(child, (released.get(child) ?? 0) + 1);
    }
    events.push({ type: "ImageDeleted", data: { ...ref, imageDigest: digest } });
  };

  for (const id of data.imageIds) {
    if (id.imageDigest === undefined && id.imageTag === undefined) {
      failures.push(
        failure(id, "MissingDigestAndTag", "Invalid request parameters: both tag and digest cannot be null"),
      );
      continue;
    }
    if (id.imageDigest !== undefined && !Digest.is(id.imageDigest)) {
      failures.push(
        failure(
          id,
          "InvalidImageDigest",
          "Invalid request parameters: image digest should satisfy the regex 'sha256:[a-f0-9]{64}'",
        ),
      );
      continue;
    }
    if (id.imageTag !== undefined && !ImageTagCodec.is(id.imageTag)) {
      failures.push(
        failure(id, "InvalidImageTag", "Invalid request parameters: image tag should be 1 to 300 characters"),
      );
      continue;
    }
    const tag = id.imageTag;
    // A tag removed earlier in the batch names nothing, whatever digest comes with it.
    const digest =
      tag !== undefined ? (untagged.has(tag) ? undefined : repository.tags.get(tag)) : id.imageDigest;
    if (digest === undefined || deleted.has(digest) || !repository.images.has(digest)) {
      failures.push(failure(id, "ImageNotFound", "Requested image not found"));
      continue;
    }
    if (id.imageDigest !== undefined && id.imageDigest !== digest) {
      failures.push(
        failure(
          id,
          "ImageTagDoesNotMatchDigest",
          "Invalid request parameters: given tag does not match the given digest",
        ),
      );
      continue;
    }
    if (tag !== undefined) {
      const lastTag = tagsLeft(digest).length === 1;
      if (lastTag && referencedByIndex(digest)) {
        failures.push(
          failure(id, "ImageReferencedByManifestList", "Requested image is referenced by a manifest list"),
        );
        continue;
      }
      untagged.add(tag);
      imageIds.push({ imageDigest: digest, imageTag: tag });
      if (lastTag) deleteImage(digest);
      else events.push({ type: "ImageUntagged", data: { ...ref, imageDigest: digest, imageTag: tag } });
      continue;
    }
    if (referencedByIndex(digest)) {
      failures.push(
        failure(id, "ImageReferencedByManifestList", "Requested image is referenced by a manifest list"),
      );
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

export const decideDeleteImages = (state: RegistryState, command: DeleteImages): Decision =>
  pipe(
    requireRepository(state, command.data),
    E.map((repository) => planImageDeletion(repository, command).events),
  );
