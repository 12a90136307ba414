/**
 * ReplicateImage: the destination side of a replication, in the destination repository's stream.
 * Blobs are linked (LayerLinked, as a mount does: the bytes are content-addressed and shared), the
 * manifest is pushed under the same digest, and every tag the source image has now follows it.
 * What the destination already has records nothing, so running it twice changes nothing.
 */
import * as E from "fp-ts/lib/Either.js";
import type { ImageEvent } from "../images/image-events.js";
import { imageTags } from "../images/image-tags.js";
import { decisionsOf } from "../kernel/decision.js";
import { RegistryErrors } from "../kernel/registry-errors.js";
import { findRepository, type RegistryState, requireRepository } from "../kernel/registry-state.js";
import type { LayerUploadEvent } from "../layer-uploads/layer-upload-events.js";
import { findLayer } from "../layer-uploads/repository-layers.js";
import type { ImageTag } from "../values/primitives.js";
import { manifestDigest } from "../values/sha256.js";
import { isTagImmutable } from "../values/tag-mutability.js";
import type { ReplicateImage } from "./replication-commands.js";
import { replicationRefusal } from "./replication-permission.js";

const { accept, refuse } = decisionsOf<ImageEvent | LayerUploadEvent>();

export const decideReplicateImage = (state: RegistryState, { data }: ReplicateImage) => {
  const { source, replicatedAt } = data;
  const ref = { registryId: data.registryId, repositoryName: data.repositoryName };
  const image = findRepository(state, source.registryId, source.repositoryName)?.images.get(
    source.imageDigest,
  );
  if (image === undefined) {
    return refuse(
      RegistryErrors.imageNotFound(
        `The image '${source.imageDigest}' is no longer in '${source.repositoryName}'`,
      ),
    );
  }
  const given = manifestDigest(data.imageManifest);
  if (given !== image.digest) return refuse(RegistryErrors.imageDigestDoesNotMatch(image.digest, given));
  const refusal = replicationRefusal(state, source.registryId, data.registryId);
  if (refusal !== undefined) return refuse(RegistryErrors.invalidParameter(refusal));
  const found = requireRepository(state, ref);
  if (E.isLeft(found)) return found;
  const destination = found.right;
  const sourceRepository = findRepository(state, source.registryId, source.repositoryName);
  const events: Array<ImageEvent | LayerUploadEvent> = [];
  for (const blob of new Set(image.blobs)) {
    if (destination.layers.has(blob)) continue;
    // A lenient source may hold images whose blobs it never had: there is nothing to link then.
    const layer = sourceRepository === undefined ? undefined : findLayer(state, sourceRepository, blob);
    if (layer === undefined) continue;
    events.push({
      type: "LayerLinked",
      data: {
        ...ref,
        layerDigest: blob,
        size: layer.size,
        fromRepository: source.repositoryName,
        linkedAt: replicatedAt,
      },
    });
  }
  const missingChildren = (image.children ?? []).filter((child) => !destination.images.has(child));
  if (missingChildren.length > 0) return refuse(RegistryErrors.referencedImagesNotFound(missingChildren));
  const tags = [...imageTags(image)].sort();
  for (const tag of tags) {
    const holder = destination.tags.get(tag as ImageTag);
    const frozen = isTagImmutable(
      destination.imageTagMutability,
      destination.imageTagMutabilityExclusionFilters,
      tag as ImageTag,
    );
    if (holder !== undefined && holder !== image.digest && frozen) {
      return refuse(RegistryErrors.imageTagAlreadyExists(tag, data.repositoryName));
    }
  }
  const existing = destination.images.get(image.digest);
  let untaggedPush = existing === undefined;
  if (existing === undefined) {
    const [first] = tags;
    events.push({
      type: "ImagePushed",
      data: {
        ...ref,
        imageDigest: image.digest,
        imageManifest: data.imageManifest,
        imageManifestMediaType: image.manifestMediaType,
        ...(image.artifactMediaType === undefined ? {} : { artifactMediaType: image.artifactMediaType }),
        ...(first === undefined ? {} : { imageTag: first as ImageTag }),
        imageSizeInBytes: image.sizeInBytes,
        blobs: [...image.blobs],
        children: [...(image.children ?? [])],
        ...(image.subject === undefined ? {} : { subject: image.subject }),
        pushedAt: replicatedAt,
      },
    });
    untaggedPush = first === undefined;
  }
  for (const tag of tags) {
    const pushedWith = existing === undefined && !untaggedPush && tag === tags[0];
    if (pushedWith || destination.tags.get(tag as ImageTag) === image.digest) continue;
    events.push({
      type: "ImageTagged",
      data: { ...ref, imageDigest: image.digest, imageTag: tag as ImageTag, taggedAt: replicatedAt },
    });
  }
  return accept(...events);
};
