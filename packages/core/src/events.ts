/**
 * The facts the registry records: a closed union of `{ type, data }`, JSON-serializable, each
 * carrying everything `evolve` needs. Layer bytes never appear here: only digests, sizes and offsets.
 *
 * Streams: one per repository (lifecycle, images, tags, layers, upload sessions opening and closing,
 * policy, resource tags), one per upload session (its parts, so a repository stream does not grow
 * with every part), one per registry (registry policy and settings).
 */
import type { BerthCommand } from "./commands.js";
import type { ParsedManifest } from "./values/manifest.js";
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

interface RepositoryRef {
  readonly registryId: RegistryId;
  readonly repositoryName: RepositoryName;
}

type Event<Type extends string, Data> = { readonly type: Type; readonly data: Data };

export type RepositoryCreated = Event<
  "RepositoryCreated",
  RepositoryRef & {
    readonly createdAt: Timestamp;
    readonly imageTagMutability: ImageTagMutability;
    readonly imageTagMutabilityExclusionFilters: ReadonlyArray<ImageTagMutabilityExclusionFilter>;
    readonly scanOnPush: boolean;
    readonly encryptionType: EncryptionType;
    readonly kmsKey?: string;
    readonly tags: ReadonlyArray<ResourceTag>;
  }
>;
/** Deleting a repository (with `force`) deletes its images, layers, uploads, policy and tags. */
export type RepositoryDeleted = Event<"RepositoryDeleted", RepositoryRef & { readonly deletedAt: Timestamp }>;
export type ImageTagMutabilityChanged = Event<
  "ImageTagMutabilityChanged",
  RepositoryRef & {
    readonly imageTagMutability: ImageTagMutability;
    readonly imageTagMutabilityExclusionFilters: ReadonlyArray<ImageTagMutabilityExclusionFilter>;
  }
>;

/** A new manifest; `imageTag`, if any, moves here from whichever image held it. */
export type ImagePushed = Event<
  "ImagePushed",
  RepositoryRef & {
    readonly imageDigest: Digest;
    readonly imageManifest: string;
    readonly imageManifestMediaType: MediaType;
    readonly artifactMediaType?: MediaType;
    readonly imageTag?: ImageTag;
    readonly imageSizeInBytes: number;
    readonly blobs: ParsedManifest["blobs"];
    readonly children: ParsedManifest["children"];
    readonly subject?: Digest;
    readonly pushedAt: Timestamp;
  }
>;
/** An existing image gets a tag; the tag leaves whichever image held it. */
export type ImageTagged = Event<
  "ImageTagged",
  RepositoryRef & { readonly imageDigest: Digest; readonly imageTag: ImageTag; readonly taggedAt: Timestamp }
>;
/** A tag is removed; the image stays. */
export type ImageUntagged = Event<
  "ImageUntagged",
  RepositoryRef & { readonly imageDigest: Digest; readonly imageTag: ImageTag }
>;
/** An image and all its tags are removed. */
export type ImageDeleted = Event<"ImageDeleted", RepositoryRef & { readonly imageDigest: Digest }>;

export type LayerUploadInitiated = Event<
  "LayerUploadInitiated",
  RepositoryRef & {
    readonly uploadId: UploadId;
    readonly initiatedAt: Timestamp;
  }
>;
/** Goes to the upload's own stream. */
export type LayerPartUploaded = Event<
  "LayerPartUploaded",
  RepositoryRef & {
    readonly uploadId: UploadId;
    readonly partFirstByte: ByteOffset;
    readonly partLastByte: ByteOffset;
  }
>;
/** The upload's bytes became layer `layerDigest` of this repository; the session is closed. */
export type LayerUploadCompleted = Event<
  "LayerUploadCompleted",
  RepositoryRef & {
    readonly uploadId: UploadId;
    readonly layerDigest: Digest;
    readonly size: ByteOffset;
    readonly completedAt: Timestamp;
  }
>;
/** The session is closed without a layer (cancelled, or its bytes did not match their digest). */
export type LayerUploadDiscarded = Event<
  "LayerUploadDiscarded",
  RepositoryRef & { readonly uploadId: UploadId; readonly reason: string }
>;
/** A blob that already exists in the registry becomes a layer of this repository (OCI mount). */
export type LayerLinked = Event<
  "LayerLinked",
  RepositoryRef & {
    readonly layerDigest: Digest;
    readonly size: ByteOffset;
    readonly fromRepository: RepositoryName;
    readonly linkedAt: Timestamp;
  }
>;

export type RepositoryPolicySet = Event<
  "RepositoryPolicySet",
  RepositoryRef & { readonly policyText: string }
>;
export type RepositoryPolicyDeleted = Event<"RepositoryPolicyDeleted", RepositoryRef>;
export type ResourceTagsAdded = Event<
  "ResourceTagsAdded",
  RepositoryRef & { readonly tags: ReadonlyArray<ResourceTag> }
>;
export type ResourceTagsRemoved = Event<
  "ResourceTagsRemoved",
  RepositoryRef & { readonly tagKeys: ReadonlyArray<string> }
>;

export type RegistryPolicySet = Event<
  "RegistryPolicySet",
  { readonly registryId: RegistryId; readonly policyText: string }
>;
export type RegistryPolicyDeleted = Event<"RegistryPolicyDeleted", { readonly registryId: RegistryId }>;
/** Registry-wide settings; `lenient` accepts what moto accepts (see README, "Lenient mode"). */
export type RegistrySettingsChanged = Event<
  "RegistrySettingsChanged",
  { readonly registryId: RegistryId; readonly lenient: boolean }
>;

export type RepositoryEvent =
  | RepositoryCreated
  | RepositoryDeleted
  | ImageTagMutabilityChanged
  | ImagePushed
  | ImageTagged
  | ImageUntagged
  | ImageDeleted
  | LayerUploadInitiated
  | LayerUploadCompleted
  | LayerUploadDiscarded
  | LayerLinked
  | RepositoryPolicySet
  | RepositoryPolicyDeleted
  | ResourceTagsAdded
  | ResourceTagsRemoved;
export type UploadEvent = LayerPartUploaded;
export type RegistryEvent = RegistryPolicySet | RegistryPolicyDeleted | RegistrySettingsChanged;

export type BerthEvent = RepositoryEvent | UploadEvent | RegistryEvent;
export type BerthEventType = BerthEvent["type"];

/** Stream names: stable, human-readable, and derivable from an event alone. */
export const StreamNames = {
  repository: (registryId: RegistryId, name: RepositoryName) => `repository-${registryId}-${name}`,
  upload: (uploadId: UploadId) => `upload-${uploadId}`,
  registry: (registryId: RegistryId) => `registry-${registryId}`,
} as const;

/** The stream an event belongs to. */
export const streamOf = (event: BerthEvent): string => {
  switch (event.type) {
    case "LayerPartUploaded":
      return StreamNames.upload(event.data.uploadId);
    case "RegistryPolicySet":
    case "RegistryPolicyDeleted":
    case "RegistrySettingsChanged":
      return StreamNames.registry(event.data.registryId);
    default:
      return StreamNames.repository(event.data.registryId, event.data.repositoryName);
  }
};

/**
 * The stream a command's events go to: its upload for parts, its registry for registry-wide
 * settings, else its repository. Engines serialize commands per stream with it.
 */
export const streamOfCommand = (command: BerthCommand): string => {
  switch (command.type) {
    case "UploadLayerPart":
      return StreamNames.upload(command.data.uploadId);
    case "PutRegistryPolicy":
    case "DeleteRegistryPolicy":
    case "PutRegistrySettings":
      return StreamNames.registry(command.data.registryId);
    default:
      return StreamNames.repository(command.data.registryId, command.data.repositoryName);
  }
};

const EVENT_TYPES: ReadonlySet<string> = new Set<BerthEventType>([
  "RepositoryCreated",
  "RepositoryDeleted",
  "ImageTagMutabilityChanged",
  "ImagePushed",
  "ImageTagged",
  "ImageUntagged",
  "ImageDeleted",
  "LayerUploadInitiated",
  "LayerPartUploaded",
  "LayerUploadCompleted",
  "LayerUploadDiscarded",
  "LayerLinked",
  "RepositoryPolicySet",
  "RepositoryPolicyDeleted",
  "ResourceTagsAdded",
  "ResourceTagsRemoved",
  "RegistryPolicySet",
  "RegistryPolicyDeleted",
  "RegistrySettingsChanged",
]);

/**
 * True for the event types this version of the core knows. Stores are shared (another application
 * may write other streams into the same log): folds skip what they do not know.
 */
export const isBerthEvent = (event: { readonly type: string }): event is BerthEvent =>
  EVENT_TYPES.has(event.type);
