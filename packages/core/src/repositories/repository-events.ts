/** Events of the repository lifecycle and its tag mutability setting. */
import type { Event, RepositoryRef } from "../kernel/message.js";
import type {
  EncryptionType,
  ImageTagMutability,
  ImageTagMutabilityExclusionFilter,
  ResourceTag,
  Timestamp,
} from "../values/primitives.js";

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

export type RepositoryLifecycleEvent = RepositoryCreated | RepositoryDeleted | ImageTagMutabilityChanged;
