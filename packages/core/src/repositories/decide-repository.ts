/** CreateRepository, DeleteRepository and PutImageTagMutability. */
import * as E from "fp-ts/lib/Either.js";
import { pipe } from "fp-ts/lib/function.js";
import { decisionsOf } from "../kernel/decision.js";
import { RegistryErrors } from "../kernel/registry-errors.js";
import { findRepository, type RegistryState, requireRepository } from "../kernel/registry-state.js";
import { reservedResourceTagError, tooManyTagsError } from "../policies/resource-tag-rules.js";
import type { ImageTagMutability } from "../values/primitives.js";
import type { CreateRepository, DeleteRepository, PutImageTagMutability } from "./repository-commands.js";
import type { RepositoryLifecycleEvent } from "./repository-events.js";

const { accept, refuse } = decisionsOf<RepositoryLifecycleEvent>();

export const checkExclusions = (
  mutability: ImageTagMutability,
  filters: ReadonlyArray<unknown> | undefined,
) => {
  const withExclusion = mutability === "IMMUTABLE_WITH_EXCLUSION" || mutability === "MUTABLE_WITH_EXCLUSION";
  const count = filters?.length ?? 0;
  if (withExclusion && count === 0) {
    return RegistryErrors.invalidParameter(
      `Invalid parameter: imageTagMutability ${mutability} requires imageTagMutabilityExclusionFilters`,
    );
  }
  if (!withExclusion && count > 0) {
    return RegistryErrors.invalidParameter(
      `Invalid parameter: imageTagMutabilityExclusionFilters are only allowed with *_WITH_EXCLUSION mutability`,
    );
  }
  return undefined;
};

/** A KMS key goes with KMS encryption only: AES256 uses keys S3 manages. */
export const checkEncryption = (encryptionType: string | undefined, kmsKey: string | undefined) =>
  kmsKey !== undefined && (encryptionType ?? "AES256") === "AES256"
    ? RegistryErrors.invalidParameter(
        "Invalid parameter at 'encryptionConfiguration' failed to satisfy constraint: 'KMS key should not be specified for AES256 encryption type'",
      )
    : undefined;

export const decideCreateRepository = (state: RegistryState, { data }: CreateRepository) => {
  if (findRepository(state, data.registryId, data.repositoryName) !== undefined) {
    return refuse(RegistryErrors.repositoryAlreadyExists(data.registryId, data.repositoryName));
  }
  const tags = data.tags ?? [];
  const imageTagMutability = data.imageTagMutability ?? "MUTABLE";
  const error =
    tooManyTagsError(new Set(tags.map((tag) => tag.Key)).size) ??
    reservedResourceTagError(tags) ??
    checkExclusions(imageTagMutability, data.imageTagMutabilityExclusionFilters) ??
    checkEncryption(data.encryptionType, data.kmsKey);
  if (error !== undefined) return refuse(error);
  return accept({
    type: "RepositoryCreated",
    data: {
      registryId: data.registryId,
      repositoryName: data.repositoryName,
      createdAt: data.createdAt,
      imageTagMutability,
      imageTagMutabilityExclusionFilters: data.imageTagMutabilityExclusionFilters ?? [],
      scanOnPush: data.scanOnPush ?? false,
      encryptionType: data.encryptionType ?? "AES256",
      ...(data.kmsKey === undefined ? {} : { kmsKey: data.kmsKey }),
      tags,
    },
  });
};

export const decideDeleteRepository = (state: RegistryState, { data }: DeleteRepository) =>
  pipe(
    requireRepository(state, data),
    E.chain((repository) =>
      repository.images.size > 0 && data.force !== true
        ? refuse(RegistryErrors.repositoryNotEmpty(data.registryId, data.repositoryName))
        : accept({
            type: "RepositoryDeleted",
            data: {
              registryId: data.registryId,
              repositoryName: data.repositoryName,
              deletedAt: data.deletedAt,
            },
          }),
    ),
  );

export const decidePutImageTagMutability = (state: RegistryState, { data }: PutImageTagMutability) =>
  pipe(
    requireRepository(state, data),
    E.chain(() => {
      const exclusionError = checkExclusions(
        data.imageTagMutability,
        data.imageTagMutabilityExclusionFilters,
      );
      if (exclusionError !== undefined) return refuse(exclusionError);
      return accept({
        type: "ImageTagMutabilityChanged",
        data: {
          registryId: data.registryId,
          repositoryName: data.repositoryName,
          imageTagMutability: data.imageTagMutability,
          imageTagMutabilityExclusionFilters: data.imageTagMutabilityExclusionFilters ?? [],
        },
      });
    }),
  );
