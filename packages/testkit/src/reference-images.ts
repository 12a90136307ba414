/** PutImage and BatchDeleteImage in the reference model, as ECR documents them. */
import { type BerthCommand, type Digest, type ImageIdentifier, ImageTag } from "@berth/core";
import { branded } from "./branded.js";
import type { ManifestDraft } from "./manifest-arbitraries.js";
import {
  ok,
  type ReferenceDeletion,
  type ReferenceImage,
  type ReferenceOutcome,
  type ReferenceRepository,
  refused,
  SHA256_DIGEST,
} from "./reference-model.js";
import { tagIsImmutable } from "./tag-mutability.js";

const holderOf = (repository: ReferenceRepository, tag: ImageTag) =>
  repository.images.find((image) => image.tags.includes(tag));

/** Gives `tag` to `image`, taking it from whichever image held it. */
const moveTag = (repository: ReferenceRepository, tag: ImageTag, image: ReferenceImage) => {
  const holder = holderOf(repository, tag);
  if (holder !== undefined) holder.tags.splice(holder.tags.indexOf(tag), 1);
  image.tags.push(tag);
};

/** PutImage of `draft` (the manifest the command carries): a lenient registry skips reference checks. */
export const putReferenceImage = (
  repository: ReferenceRepository,
  draft: ManifestDraft,
  data: Extract<BerthCommand, { type: "PutImage" }>["data"],
  lenient: boolean,
): ReferenceOutcome => {
  if (data.imageDigest !== undefined && data.imageDigest !== draft.digest) {
    return refused("ImageDigestDoesNotMatchException");
  }
  const tag = data.imageTag;
  const holder = tag === undefined ? undefined : holderOf(repository, tag);
  const frozen = tag !== undefined && tagIsImmutable(repository.mutability, repository.exclusions, tag);
  const existing = repository.images.find((image) => image.digest === draft.digest);
  if (existing !== undefined) {
    if (tag === undefined || holder === existing) return refused("ImageAlreadyExistsException");
    if (holder !== undefined && frozen) return refused("ImageTagAlreadyExistsException");
    moveTag(repository, tag, existing);
    return ok;
  }
  if (holder !== undefined && frozen) return refused("ImageTagAlreadyExistsException");
  const declared = data.imageManifestMediaType;
  if (!draft.mediaTypeInManifest && declared === undefined) return refused("InvalidParameterException");
  if (draft.mediaTypeInManifest && declared !== undefined && declared !== draft.mediaType) {
    return refused("InvalidParameterException");
  }
  if (!lenient) {
    if (draft.blobs.some((blob) => !repository.layers.has(blob))) return refused("LayersNotFoundException");
    const digests = new Set(repository.images.map((image) => image.digest));
    if (draft.children.some((child) => !digests.has(child)))
      return refused("ReferencedImagesNotFoundException");
  }
  const image: ReferenceImage = {
    digest: draft.digest,
    manifest: draft.manifest,
    mediaType: draft.mediaType,
    artifactMediaType: draft.artifactMediaType,
    sizeInBytes: draft.imageSizeInBytes,
    pushedAt: data.pushedAt,
    tags: [],
    blobs: draft.blobs,
    children: draft.children,
    subject: draft.subject,
  };
  repository.images.push(image);
  if (tag !== undefined) moveTag(repository, tag, image);
  return ok;
};

/** BatchDeleteImage: each id in order, against what the ids before it left. */
export const deleteReferenceImages = (
  repository: ReferenceRepository,
  ids: ReadonlyArray<ImageIdentifier>,
): ReferenceDeletion => {
  const imageIds: Array<{ imageDigest: Digest; imageTag?: ImageTag }> = [];
  const failureCodes: string[] = [];
  const referenced = (image: ReferenceImage) =>
    repository.images.some((other) => other.children.includes(image.digest));
  const remove = (image: ReferenceImage) => repository.images.splice(repository.images.indexOf(image), 1);
  for (const id of ids) {
    if (id.imageDigest === undefined && id.imageTag === undefined) {
      failureCodes.push("MissingDigestAndTag");
      continue;
    }
    if (id.imageDigest !== undefined && !SHA256_DIGEST.test(id.imageDigest)) {
      failureCodes.push("InvalidImageDigest");
      continue;
    }
    if (id.imageTag !== undefined && (id.imageTag.length < 1 || id.imageTag.length > 300)) {
      failureCodes.push("InvalidImageTag");
      continue;
    }
    const tag = id.imageTag === undefined ? undefined : branded(ImageTag, id.imageTag);
    const image =
      tag !== undefined
        ? holderOf(repository, tag)
        : repository.images.find((candidate) => candidate.digest === id.imageDigest);
    if (image === undefined) {
      failureCodes.push("ImageNotFound");
      continue;
    }
    if (id.imageDigest !== undefined && id.imageDigest !== image.digest) {
      failureCodes.push("ImageTagDoesNotMatchDigest");
      continue;
    }
    if (tag !== undefined) {
      const last = image.tags.length === 1;
      if (last && referenced(image)) {
        failureCodes.push("ImageReferencedByManifestList");
        continue;
      }
      image.tags.splice(image.tags.indexOf(tag), 1);
      imageIds.push({ imageDigest: image.digest, imageTag: tag });
      if (last) remove(image);
      continue;
    }
    if (referenced(image)) {
      failureCodes.push("ImageReferencedByManifestList");
      continue;
    }
    if (image.tags.length === 0) imageIds.push({ imageDigest: image.digest });
    for (const t of image.tags) imageIds.push({ imageDigest: image.digest, imageTag: t });
    remove(image);
  }
  return { imageIds, failureCodes };
};
