/**
 * What callers ask of the registry: a closed union of `{ type, data }`. Values are already decoded
 * (branded); time and ids arrive here as data, so `decide` needs no clock and no randomness. Each
 * write operation of the ECR API is one command; read operations are queries (see `queries/`).
 */
import type {
  ByteOffset,
  Digest,
  EncryptionType,
  ImageTag,
  ImageTagMutability,
  ImageTagMutabilityExclusionFilter,
  MediaType,
  RegistryId,
  RepositoryName,
  ResourceTag,
  Timestamp,
  UploadId,
} from "./values/primitives.js";

type Command<Type extends string, Data> = { readonly type: Type; readonly data: Data };

interface RepositoryRef {
  readonly registryId: RegistryId;
  readonly repositoryName: RepositoryName;
}

/** ECR's ImageIdentifier: a digest, a tag, or both (both must then name the same image). */
export interface ImageIdentifier {
  readonly imageDigest?: string;
  readonly imageTag?: string;
}

export type CreateRepository = Command<
  "CreateRepository",
  RepositoryRef & {
    readonly imageTagMutability?: ImageTagMutability;
    readonly imageTagMutabilityExclusionFilters?: ReadonlyArray<ImageTagMutabilityExclusionFilter>;
    readonly scanOnPush?: boolean;
    readonly encryptionType?: EncryptionType;
    readonly kmsKey?: string;
    readonly tags?: ReadonlyArray<ResourceTag>;
    readonly createdAt: Timestamp;
  }
>;
export type DeleteRepository = Command<
  "DeleteRepository",
  RepositoryRef & { readonly force?: boolean; readonly deletedAt: Timestamp }
>;
export type PutImageTagMutability = Command<
  "PutImageTagMutability",
  RepositoryRef & {
    readonly imageTagMutability: ImageTagMutability;
    readonly imageTagMutabilityExclusionFilters?: ReadonlyArray<ImageTagMutabilityExclusionFilter>;
  }
>;
export type PutImage = Command<
  "PutImage",
  RepositoryRef & {
    readonly imageManifest: string;
    readonly imageManifestMediaType?: MediaType;
    readonly imageTag?: ImageTag;
    /** When given, must equal the manifest's sha256 (ImageDigestDoesNotMatchException otherwise). */
    readonly imageDigest?: string;
    readonly pushedAt: Timestamp;
  }
>;
/** ECR's BatchDeleteImage. Ids that cannot be deleted become per-id failures, not an error. */
export type DeleteImages = Command<
  "DeleteImages",
  RepositoryRef & { readonly imageIds: ReadonlyArray<ImageIdentifier> }
>;
export type InitiateLayerUpload = Command<
  "InitiateLayerUpload",
  RepositoryRef & {
    /** Chosen by the caller: a fresh uuid, never one used before (only open uploads are checked). */
    readonly uploadId: UploadId;
    readonly initiatedAt: Timestamp;
  }
>;
export type UploadLayerPart = Command<
  "UploadLayerPart",
  RepositoryRef & {
    readonly uploadId: UploadId;
    readonly partFirstByte: ByteOffset;
    readonly partLastByte: ByteOffset;
    /**
     * How many bytes the part really holds (counted at the edge, where the bytes are). ECR's 20 MiB
     * limit per part is the ECR request codec's; OCI chunks have no limit.
     */
    readonly partLength: ByteOffset;
  }
>;
export type CompleteLayerUpload = Command<
  "CompleteLayerUpload",
  RepositoryRef & {
    readonly uploadId: UploadId;
    /** The digest the client declares (ECR's layerDigests holds exactly one). */
    readonly layerDigest: string;
    /** What was received, as measured by the blob store while the bytes streamed in. */
    readonly received: { readonly digest: Digest; readonly size: ByteOffset };
    /** ECR refuses non-final parts under 5 MiB; OCI chunked uploads accept any size. */
    readonly enforcePartMinimum: boolean;
    /** ECR refuses an upload with no parts (EmptyUploadException); OCI accepts the empty blob. */
    readonly allowEmpty?: boolean;
    readonly completedAt: Timestamp;
  }
>;
/** Cancels an upload session (OCI DELETE), or closes one whose bytes failed their digest. */
export type DiscardLayerUpload = Command<
  "DiscardLayerUpload",
  RepositoryRef & { readonly uploadId: UploadId; readonly reason: string }
>;
/** Makes a layer of another repository of the same registry a layer of this one (OCI mount). */
export type MountLayer = Command<
  "MountLayer",
  RepositoryRef & {
    readonly layerDigest: Digest;
    readonly fromRepository: RepositoryName;
    readonly mountedAt: Timestamp;
  }
>;
export type SetRepositoryPolicy = Command<
  "SetRepositoryPolicy",
  RepositoryRef & { readonly policyText: string; readonly force?: boolean }
>;
export type DeleteRepositoryPolicy = Command<"DeleteRepositoryPolicy", RepositoryRef>;
export type PutRegistryPolicy = Command<
  "PutRegistryPolicy",
  { readonly registryId: RegistryId; readonly policyText: string }
>;
export type DeleteRegistryPolicy = Command<"DeleteRegistryPolicy", { readonly registryId: RegistryId }>;
export type PutRegistrySettings = Command<
  "PutRegistrySettings",
  { readonly registryId: RegistryId; readonly lenient: boolean }
>;
export type TagResource = Command<
  "TagResource",
  RepositoryRef & { readonly tags: ReadonlyArray<ResourceTag> }
>;
export type UntagResource = Command<
  "UntagResource",
  RepositoryRef & { readonly tagKeys: ReadonlyArray<string> }
>;

export type BerthCommand =
  | CreateRepository
  | DeleteRepository
  | PutImageTagMutability
  | PutImage
  | DeleteImages
  | InitiateLayerUpload
  | UploadLayerPart
  | CompleteLayerUpload
  | DiscardLayerUpload
  | MountLayer
  | SetRepositoryPolicy
  | DeleteRepositoryPolicy
  | PutRegistryPolicy
  | DeleteRegistryPolicy
  | PutRegistrySettings
  | TagResource
  | UntagResource;

export type BerthCommandType = BerthCommand["type"];
