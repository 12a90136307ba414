/** Commands of the repository lifecycle and its tag mutability setting. */
import type { Command, RepositoryRef } from "../kernel/message.js";
import type {
  EncryptionType,
  ImageTagMutability,
  ImageTagMutabilityExclusionFilter,
  ResourceTag,
  Timestamp,
} from "../values/primitives.js";

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

export type RepositoryCommand = CreateRepository | DeleteRepository | PutImageTagMutability;
