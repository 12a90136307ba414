/**
 * Commands of one registry, built one at a time for example-based tests: default timestamps,
 * derived upload ids, honest part lengths unless a test says otherwise.
 */
import {
  type BerthCommand,
  ByteOffset,
  type CompleteLayerUpload,
  type CreateRepository,
  type DeleteImages,
  type DeleteRepository,
  type Digest,
  type ImageIdentifier,
  ImageTag,
  type InitiateLayerUpload,
  MediaType,
  type MountLayer,
  type PutImage,
  type PutImageTagMutability,
  type RegistryId,
  type RepositoryName,
  Timestamp,
  type UploadId,
  type UploadLayerPart,
  type UploadRules,
} from "@berth/core";
import { branded } from "./branded.js";
import type { LayerBlob } from "./layer-blobs.js";
import type { ManifestDraft } from "./manifest-arbitraries.js";
import { type TagMutabilitySetting, uploadIdFrom } from "./value-arbitraries.js";

/** A timestamp for examples: 2023-11-14T22:13:20Z. */
export const EXAMPLE_TIME = branded(Timestamp, 1_700_000_000_000);

/** What every group of builders shares: the registry, the time it stamps, and a repository's ref. */
interface CommandContext {
  readonly registryId: RegistryId;
  readonly at: Timestamp;
  readonly ref: (name: RepositoryName) => { registryId: RegistryId; repositoryName: RepositoryName };
}

const repositoryCommands = ({ ref, at }: CommandContext) => ({
  createRepository: (
    name: RepositoryName,
    options: Partial<Omit<CreateRepository["data"], "registryId" | "repositoryName">> = {},
  ): CreateRepository => ({ type: "CreateRepository", data: { ...ref(name), createdAt: at, ...options } }),
  deleteRepository: (name: RepositoryName, force?: boolean): DeleteRepository => ({
    type: "DeleteRepository",
    data: { ...ref(name), deletedAt: at, ...(force === undefined ? {} : { force }) },
  }),
  putImageTagMutability: (name: RepositoryName, setting: TagMutabilitySetting): PutImageTagMutability => ({
    type: "PutImageTagMutability",
    data: { ...ref(name), ...setting },
  }),
});

const layerCommands = ({ registryId, ref, at }: CommandContext) => {
  const initiateLayerUpload = (name: RepositoryName, uploadId: UploadId): InitiateLayerUpload => ({
    type: "InitiateLayerUpload",
    data: { ...ref(name), uploadId, initiatedAt: at },
  });
  /** A part of `length` bytes starting at `first`, declared honestly unless `lastByte` says otherwise. */
  const uploadLayerPart = (
    name: RepositoryName,
    uploadId: UploadId,
    first: number,
    length: number,
    lastByte: number = first + length - 1,
  ): UploadLayerPart => ({
    type: "UploadLayerPart",
    data: {
      ...ref(name),
      uploadId,
      partFirstByte: branded(ByteOffset, first),
      partLastByte: branded(ByteOffset, lastByte),
      partLength: branded(ByteOffset, length),
      uploadedAt: at,
    },
  });
  /** Completes with what a blob store measured of `received`, declaring `declared` (default: its digest). */
  const completeLayerUpload = (
    name: RepositoryName,
    uploadId: UploadId,
    received: Pick<LayerBlob, "digest" | "size">,
    options: { declared?: string; layerDigests?: ReadonlyArray<string>; rules?: UploadRules } = {},
  ): CompleteLayerUpload => ({
    type: "CompleteLayerUpload",
    data: {
      ...ref(name),
      uploadId,
      layerDigests: options.layerDigests ?? [options.declared ?? received.digest],
      received: { digest: received.digest, size: received.size },
      rules: options.rules ?? "ecr",
      completedAt: at,
    },
  });
  return {
    initiateLayerUpload,
    uploadLayerPart,
    completeLayerUpload,
    /** Initiate, one part, complete: the whole upload of `blob`. */
    uploadLayer: (
      name: RepositoryName,
      blob: LayerBlob,
      uploadId: UploadId = uploadIdFrom(`${registryId}/${name}@${blob.digest}`),
    ): BerthCommand[] => [
      initiateLayerUpload(name, uploadId),
      uploadLayerPart(name, uploadId, 0, blob.size),
      completeLayerUpload(name, uploadId, blob),
    ],
    mountLayer: (name: RepositoryName, from: RepositoryName, layerDigest: Digest): MountLayer => ({
      type: "MountLayer",
      data: { ...ref(name), layerDigest, fromRepository: from, mountedAt: at },
    }),
    discardLayerUpload: (name: RepositoryName, uploadId: UploadId, reason = "cancelled"): BerthCommand => ({
      type: "DiscardLayerUpload",
      data: { ...ref(name), uploadId, reason },
    }),
  };
};

const imageCommands = ({ ref, at }: CommandContext) => ({
  putImage: (
    name: RepositoryName,
    manifest: string | ManifestDraft,
    options: { tag?: string; digest?: string; mediaType?: string; pushedAt?: Timestamp } = {},
  ): PutImage => ({
    type: "PutImage",
    data: {
      ...ref(name),
      imageManifest: typeof manifest === "string" ? manifest : manifest.manifest,
      ...(options.tag === undefined ? {} : { imageTag: branded(ImageTag, options.tag) }),
      ...(options.digest === undefined ? {} : { imageDigest: options.digest }),
      ...(options.mediaType === undefined
        ? {}
        : { imageManifestMediaType: branded(MediaType, options.mediaType) }),
      pushedAt: options.pushedAt ?? at,
    },
  }),
  deleteImages: (name: RepositoryName, imageIds: ReadonlyArray<ImageIdentifier>): DeleteImages => ({
    type: "DeleteImages",
    data: { ...ref(name), imageIds, deletedAt: at },
  }),
});

/** Policies, registry settings and resource tags: commands that carry no bytes and no images. */
const settingCommands = ({ registryId, ref }: CommandContext) => ({
  setRepositoryPolicy: (name: RepositoryName, policyText: string): BerthCommand => ({
    type: "SetRepositoryPolicy",
    data: { ...ref(name), policyText },
  }),
  deleteRepositoryPolicy: (name: RepositoryName): BerthCommand => ({
    type: "DeleteRepositoryPolicy",
    data: ref(name),
  }),
  putRegistryPolicy: (policyText: string): BerthCommand => ({
    type: "PutRegistryPolicy",
    data: { registryId, policyText },
  }),
  deleteRegistryPolicy: (): BerthCommand => ({ type: "DeleteRegistryPolicy", data: { registryId } }),
  putRegistrySettings: (lenient: boolean): BerthCommand => ({
    type: "PutRegistrySettings",
    data: { registryId, lenient },
  }),
  tagResource: (name: RepositoryName, tags: ReadonlyArray<{ Key: string; Value: string }>): BerthCommand => ({
    type: "TagResource",
    data: { ...ref(name), tags },
  }),
  untagResource: (name: RepositoryName, tagKeys: ReadonlyArray<string>): BerthCommand => ({
    type: "UntagResource",
    data: { ...ref(name), tagKeys },
  }),
});

/** Builds commands of one registry, with default timestamps and derived upload ids. */
export const registryCommands = (registryId: RegistryId, at: Timestamp = EXAMPLE_TIME) => {
  const context: CommandContext = { registryId, at, ref: (name) => ({ registryId, repositoryName: name }) };
  return {
    registryId,
    ...repositoryCommands(context),
    ...layerCommands(context),
    ...imageCommands(context),
    ...settingCommands(context),
  };
};

export type RegistryCommands = ReturnType<typeof registryCommands>;
