/** PutImage. */
import * as E from "fp-ts/lib/Either.js";
import { pipe } from "fp-ts/lib/function.js";
import { type DecisionOf, decisionsOf } from "../kernel/decision.js";
import { RegistryErrors } from "../kernel/registry-errors.js";
import {
  type RegistryState,
  type RepositoryState,
  registrySettings,
  requireRepository,
} from "../kernel/registry-state.js";
import { parseManifest } from "../values/manifest.js";
import type { ImageTag } from "../values/primitives.js";
import { manifestDigest } from "../values/sha256.js";
import { isTagImmutable } from "../values/tag-mutability.js";
import type { PutImage } from "./image-commands.js";
import type { ImageEvent } from "./image-events.js";

const { accept, refuse } = decisionsOf<ImageEvent>();

const tagIsFrozen = (repository: RepositoryState, tag: ImageTag) =>
  isTagImmutable(repository.imageTagMutability, repository.imageTagMutabilityExclusionFilters, tag);

/**
 * PutImage, as ECR does it: the image is stored under the sha256 of the manifest exactly as sent;
 * the same manifest again only adds a tag; a tag names one image and, where the repository makes
 * it immutable, never moves.
 */
export const decidePutImage = (state: RegistryState, { data }: PutImage): DecisionOf<ImageEvent> =>
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
        if (tag === undefined || holder === digest) {
          return data.rules === "oci"
            ? accept()
            : refuse(RegistryErrors.imageAlreadyExists(data.registryId, data.repositoryName, digest, tag));
        }
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
        E.chainW((manifest): DecisionOf<ImageEvent> => {
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
              ...(manifest.blobs.length === 0 ? {} : { blobMediaTypes: manifest.blobMediaTypes }),
              children: manifest.children,
              ...(manifest.subject === undefined ? {} : { subject: manifest.subject }),
              pushedAt: data.pushedAt,
            },
          });
        }),
      );
    }),
  );
