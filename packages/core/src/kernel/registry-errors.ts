/**
 * Everything a command or query can refuse, as a tagged union whose tags are ECR's exception names:
 * the HTTP edge maps `_tag` to `__type` 1:1. Messages follow ECR's wording where it is known.
 */
import type { ByteOffset, RegistryId, RepositoryName, UploadId } from "../values/primitives.js";

interface Failure<Tag extends string> {
  readonly _tag: Tag;
  readonly message: string;
}

export type RepositoryNotFoundException = Failure<"RepositoryNotFoundException">;
export type RepositoryAlreadyExistsException = Failure<"RepositoryAlreadyExistsException">;
export type RepositoryNotEmptyException = Failure<"RepositoryNotEmptyException">;
export type RepositoryPolicyNotFoundException = Failure<"RepositoryPolicyNotFoundException">;
export type RegistryPolicyNotFoundException = Failure<"RegistryPolicyNotFoundException">;
export type InvalidParameterException = Failure<"InvalidParameterException">;
export type InvalidTagParameterException = Failure<"InvalidTagParameterException">;
export type TooManyTagsException = Failure<"TooManyTagsException">;
export type ImageAlreadyExistsException = Failure<"ImageAlreadyExistsException">;
export type ImageTagAlreadyExistsException = Failure<"ImageTagAlreadyExistsException">;
export type ImageDigestDoesNotMatchException = Failure<"ImageDigestDoesNotMatchException">;
export type ImageNotFoundException = Failure<"ImageNotFoundException">;
export type LayersNotFoundException = Failure<"LayersNotFoundException">;
export type ReferencedImagesNotFoundException = Failure<"ReferencedImagesNotFoundException">;
export type LayerInaccessibleException = Failure<"LayerInaccessibleException">;
export type LayerAlreadyExistsException = Failure<"LayerAlreadyExistsException">;
export type LayerPartTooSmallException = Failure<"LayerPartTooSmallException">;
export type EmptyUploadException = Failure<"EmptyUploadException">;
export type InvalidLayerException = Failure<"InvalidLayerException">;
export type UploadNotFoundException = Failure<"UploadNotFoundException">;
export type LimitExceededException = Failure<"LimitExceededException">;
export type ValidationException = Failure<"ValidationException">;
export type LifecyclePolicyNotFoundException = Failure<"LifecyclePolicyNotFoundException">;
export type LifecyclePolicyPreviewNotFoundException = Failure<"LifecyclePolicyPreviewNotFoundException">;
/** Never raised: Berth completes a preview before it answers StartLifecyclePolicyPreview. */
export type LifecyclePolicyPreviewInProgressException = Failure<"LifecyclePolicyPreviewInProgressException">;
export type ScanNotFoundException = Failure<"ScanNotFoundException">;
/** Not an ECR exception: the OCI front end answers a mount refused this way with an upload session. */
export type BlobMountingDisabled = Failure<"BlobMountingDisabled">;
export type SigningConfigurationNotFoundException = Failure<"SigningConfigurationNotFoundException">;
export type ExclusionAlreadyExistsException = Failure<"ExclusionAlreadyExistsException">;
export type ExclusionNotFoundException = Failure<"ExclusionNotFoundException">;
export type PullThroughCacheRuleAlreadyExistsException =
  Failure<"PullThroughCacheRuleAlreadyExistsException">;
export type PullThroughCacheRuleNotFoundException = Failure<"PullThroughCacheRuleNotFoundException">;
export type UnsupportedUpstreamRegistryException = Failure<"UnsupportedUpstreamRegistryException">;
export type SecretNotFoundException = Failure<"SecretNotFoundException">;
export type UnableToGetUpstreamImageException = Failure<"UnableToGetUpstreamImageException">;
export type UnableToGetUpstreamLayerException = Failure<"UnableToGetUpstreamLayerException">;
export type TemplateAlreadyExistsException = Failure<"TemplateAlreadyExistsException">;
export type TemplateNotFoundException = Failure<"TemplateNotFoundException">;
export type ReplicationBackfillNotFoundException = Failure<"ReplicationBackfillNotFoundException">;
export type ReplicationBackfillInProgressException = Failure<"ReplicationBackfillInProgressException">;
export type ReplicationBackfillInvalidStatusException = Failure<"ReplicationBackfillInvalidStatusException">;
export interface InvalidLayerPartException extends Failure<"InvalidLayerPartException"> {
  readonly registryId: RegistryId;
  readonly repositoryName: RepositoryName;
  readonly uploadId: UploadId;
  /** The last byte the upload holds (-1 when it holds none); the next part starts after it. */
  readonly lastValidByteReceived: number;
}

export type RegistryError =
  | RepositoryNotFoundException
  | RepositoryAlreadyExistsException
  | RepositoryNotEmptyException
  | RepositoryPolicyNotFoundException
  | RegistryPolicyNotFoundException
  | InvalidParameterException
  | InvalidTagParameterException
  | TooManyTagsException
  | ImageAlreadyExistsException
  | ImageTagAlreadyExistsException
  | ImageDigestDoesNotMatchException
  | ImageNotFoundException
  | LayersNotFoundException
  | ReferencedImagesNotFoundException
  | LayerInaccessibleException
  | LayerAlreadyExistsException
  | LayerPartTooSmallException
  | EmptyUploadException
  | InvalidLayerException
  | UploadNotFoundException
  | LimitExceededException
  | ValidationException
  | LifecyclePolicyNotFoundException
  | LifecyclePolicyPreviewNotFoundException
  | LifecyclePolicyPreviewInProgressException
  | ScanNotFoundException
  | BlobMountingDisabled
  | SigningConfigurationNotFoundException
  | ExclusionAlreadyExistsException
  | ExclusionNotFoundException
  | PullThroughCacheRuleAlreadyExistsException
  | PullThroughCacheRuleNotFoundException
  | UnsupportedUpstreamRegistryException
  | SecretNotFoundException
  | UnableToGetUpstreamImageException
  | UnableToGetUpstreamLayerException
  | TemplateAlreadyExistsException
  | TemplateNotFoundException
  | ReplicationBackfillNotFoundException
  | ReplicationBackfillInProgressException
  | ReplicationBackfillInvalidStatusException
  | InvalidLayerPartException;

export type RegistryErrorName = RegistryError["_tag"];

const fail = <Tag extends RegistryErrorName>(_tag: Tag, message: string) => ({ _tag, message });

const inRegistry = (registryId: RegistryId, name: RepositoryName) =>
  `'${name}' in the registry with id '${registryId}'`;

/** Constructors with ECR's messages: one per error, so wording lives in one place. */
export const RegistryErrors = {
  repositoryNotFound: (registryId: RegistryId, name: RepositoryName): RepositoryNotFoundException =>
    fail(
      "RepositoryNotFoundException",
      `The repository with name '${name}' does not exist in the registry with id '${registryId}'`,
    ),
  repositoryAlreadyExists: (registryId: RegistryId, name: RepositoryName): RepositoryAlreadyExistsException =>
    fail(
      "RepositoryAlreadyExistsException",
      `The repository with name '${name}' already exists in the registry with id '${registryId}'`,
    ),
  repositoryNotEmpty: (registryId: RegistryId, name: RepositoryName): RepositoryNotEmptyException =>
    fail(
      "RepositoryNotEmptyException",
      `The repository with name '${name}' in registry with id '${registryId}' cannot be deleted because it still contains images`,
    ),
  repositoryPolicyNotFound: (
    registryId: RegistryId,
    name: RepositoryName,
  ): RepositoryPolicyNotFoundException =>
    fail(
      "RepositoryPolicyNotFoundException",
      `Repository policy does not exist for the repository with name ${inRegistry(registryId, name)}`,
    ),
  registryPolicyNotFound: (registryId: RegistryId): RegistryPolicyNotFoundException =>
    fail(
      "RegistryPolicyNotFoundException",
      `Registry policy does not exist in the registry with id '${registryId}'`,
    ),
  invalidParameter: (message: string): InvalidParameterException =>
    fail("InvalidParameterException", message),
  invalidTagParameter: (message: string): InvalidTagParameterException =>
    fail("InvalidTagParameterException", message),
  tooManyTags: (message: string): TooManyTagsException => fail("TooManyTagsException", message),
  imageAlreadyExists: (
    registryId: RegistryId,
    name: RepositoryName,
    digest: string,
    tag: string | undefined,
  ): ImageAlreadyExistsException =>
    fail(
      "ImageAlreadyExistsException",
      `Image with digest '${digest}'${tag === undefined ? "" : ` and tag '${tag}'`} already exists in the repository with name '${name}' in registry with id '${registryId}'`,
    ),
  imageTagAlreadyExists: (tag: string, name: RepositoryName): ImageTagAlreadyExistsException =>
    fail(
      "ImageTagAlreadyExistsException",
      `The image tag '${tag}' already exists in the '${name}' repository and cannot be overwritten because the repository is immutable.`,
    ),
  imageDigestDoesNotMatch: (given: string, actual: string): ImageDigestDoesNotMatchException =>
    fail(
      "ImageDigestDoesNotMatchException",
      `The provided image digest '${given}' does not match the calculated digest '${actual}' of the manifest`,
    ),
  imageNotFound: (message: string): ImageNotFoundException => fail("ImageNotFoundException", message),
  layersNotFound: (message: string): LayersNotFoundException => fail("LayersNotFoundException", message),
  referencedImagesNotFound: (digests: ReadonlyArray<string>): ReferencedImagesNotFoundException =>
    fail(
      "ReferencedImagesNotFoundException",
      `Manifest references images that do not exist in the repository: ${digests.join(", ")}`,
    ),
  layerInaccessible: (digest: string): LayerInaccessibleException =>
    fail(
      "LayerInaccessibleException",
      `The layer with digest '${digest}' is not referenced by any image in the repository`,
    ),
  layerAlreadyExists: (digest: string, name: RepositoryName): LayerAlreadyExistsException =>
    fail("LayerAlreadyExistsException", `Layer '${digest}' already exists in the repository '${name}'`),
  layerPartTooSmall: (uploadId: UploadId, partNumber: number, size: number): LayerPartTooSmallException =>
    fail(
      "LayerPartTooSmallException",
      `Upload '${uploadId}': part ${partNumber} is ${size} bytes; every part but the last must be at least 5 MiB`,
    ),
  emptyUpload: (uploadId: UploadId): EmptyUploadException =>
    fail("EmptyUploadException", `The upload with id '${uploadId}' has no parts`),
  invalidLayer: (message: string): InvalidLayerException => fail("InvalidLayerException", message),
  uploadNotFound: (uploadId: UploadId, name: RepositoryName): UploadNotFoundException =>
    fail(
      "UploadNotFoundException",
      `The upload with id '${uploadId}' does not exist in the repository '${name}'`,
    ),
  /** An upload past its deadline: ECR lists an expired upload URL first among UploadNotFound's causes. */
  uploadExpired: (uploadId: UploadId, name: RepositoryName, expiresAt: number): UploadNotFoundException =>
    fail(
      "UploadNotFoundException",
      `The upload with id '${uploadId}' in the repository '${name}' expired at ${new Date(expiresAt).toISOString()}; start a new upload`,
    ),
  limitExceeded: (message: string): LimitExceededException => fail("LimitExceededException", message),
  validation: (message: string): ValidationException => fail("ValidationException", message),
  lifecyclePolicyNotFound: (registryId: RegistryId, name: RepositoryName): LifecyclePolicyNotFoundException =>
    fail(
      "LifecyclePolicyNotFoundException",
      `Lifecycle policy does not exist for the repository with name ${inRegistry(registryId, name)}`,
    ),
  lifecyclePolicyPreviewNotFound: (
    registryId: RegistryId,
    name: RepositoryName,
  ): LifecyclePolicyPreviewNotFoundException =>
    fail(
      "LifecyclePolicyPreviewNotFoundException",
      `Lifecycle policy preview request does not exist for the repository with name ${inRegistry(registryId, name)}`,
    ),
  lifecyclePolicyPreviewInProgress: (
    registryId: RegistryId,
    name: RepositoryName,
  ): LifecyclePolicyPreviewInProgressException =>
    fail(
      "LifecyclePolicyPreviewInProgressException",
      `Previous lifecycle policy preview request has not completed for the repository with name ${inRegistry(registryId, name)}`,
    ),
  scanNotFound: (imageId: string, name: RepositoryName, registryId: RegistryId): ScanNotFoundException =>
    fail(
      "ScanNotFoundException",
      `Image scan does not exist for the image with '${imageId}' in the repository with name '${name}' in the registry with id '${registryId}'`,
    ),
  blobMountingDisabled: (registryId: RegistryId): BlobMountingDisabled =>
    fail(
      "BlobMountingDisabled",
      `Blob mounting is disabled in the registry with id '${registryId}' (account setting BLOB_MOUNTING)`,
    ),
  signingConfigurationNotFound: (registryId: RegistryId): SigningConfigurationNotFoundException =>
    fail(
      "SigningConfigurationNotFoundException",
      `Signing configuration does not exist in the registry with id '${registryId}'`,
    ),
  exclusionAlreadyExists: (principalArn: string, registryId: RegistryId): ExclusionAlreadyExistsException =>
    fail(
      "ExclusionAlreadyExistsException",
      `The pull time update exclusion for principal '${principalArn}' already exists in the registry with id '${registryId}'`,
    ),
  exclusionNotFound: (principalArn: string, registryId: RegistryId): ExclusionNotFoundException =>
    fail(
      "ExclusionNotFoundException",
      `The pull time update exclusion for principal '${principalArn}' does not exist in the registry with id '${registryId}'`,
    ),
  pullThroughCacheRuleAlreadyExists: (
    prefix: string,
    registryId: RegistryId,
  ): PullThroughCacheRuleAlreadyExistsException =>
    fail(
      "PullThroughCacheRuleAlreadyExistsException",
      `A pull through cache rule with prefix '${prefix}' already exists in the registry with id '${registryId}'`,
    ),
  pullThroughCacheRuleNotFound: (
    prefix: string,
    registryId: RegistryId,
  ): PullThroughCacheRuleNotFoundException =>
    fail(
      "PullThroughCacheRuleNotFoundException",
      `The pull through cache rule with prefix '${prefix}' does not exist in the registry with id '${registryId}'`,
    ),
  unsupportedUpstreamRegistry: (url: string): UnsupportedUpstreamRegistryException =>
    fail(
      "UnsupportedUpstreamRegistryException",
      `The upstream registry URL '${url}' is not supported: give an http(s) URL or a host name`,
    ),
  secretNotFound: (credentialArn: string): SecretNotFoundException =>
    fail(
      "SecretNotFoundException",
      `The secret '${credentialArn}' could not be found: give Berth its credentials with --upstream-credentials`,
    ),
  unableToGetUpstreamImage: (message: string): UnableToGetUpstreamImageException =>
    fail("UnableToGetUpstreamImageException", message),
  unableToGetUpstreamLayer: (message: string): UnableToGetUpstreamLayerException =>
    fail("UnableToGetUpstreamLayerException", message),
  templateAlreadyExists: (prefix: string, registryId: RegistryId): TemplateAlreadyExistsException =>
    fail(
      "TemplateAlreadyExistsException",
      `The repository creation template with prefix '${prefix}' already exists in the registry with id '${registryId}'`,
    ),
  templateNotFound: (prefix: string, registryId: RegistryId): TemplateNotFoundException =>
    fail(
      "TemplateNotFoundException",
      `The repository creation template with prefix '${prefix}' does not exist in the registry with id '${registryId}'`,
    ),
  invalidLayerPart: (
    registryId: RegistryId,
    repositoryName: RepositoryName,
    uploadId: UploadId,
    bytesReceived: ByteOffset,
    reason: string,
  ): InvalidLayerPartException => ({
    _tag: "InvalidLayerPartException",
    message: `Invalid layer part for upload '${uploadId}': ${reason}; last valid byte received is ${bytesReceived - 1}`,
    registryId,
    repositoryName,
    uploadId,
    lastValidByteReceived: bytesReceived - 1,
  }),
  replicationBackfill: (
    tag: "NotFound" | "InProgress" | "InvalidStatus",
    message: string,
  ):
    | ReplicationBackfillNotFoundException
    | ReplicationBackfillInProgressException
    | ReplicationBackfillInvalidStatusException => fail(`ReplicationBackfill${tag}Exception`, message),
} as const;
