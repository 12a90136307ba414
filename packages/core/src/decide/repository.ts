/** Repository lifecycle, tag mutability, repository policy and resource tags. */
import * as E from "fp-ts/lib/Either.js";
import { pipe } from "fp-ts/lib/function.js";
import type {
  CreateRepository,
  DeleteRepository,
  DeleteRepositoryPolicy,
  PutImageTagMutability,
  SetRepositoryPolicy,
  TagResource,
  UntagResource,
} from "../commands.js";
import { type RegistryError, RegistryErrors } from "../errors.js";
import { findRepository, type RegistryState, requireRepository } from "../state.js";
import { type ImageTagMutability, RESOURCE_TAG_LIMITS, type ResourceTag } from "../values/primitives.js";
import { accept, type Decision, isPolicyDocument, refuse } from "./decision.js";

/** Tag keys starting with `aws:` are reserved by AWS. */
const checkResourceTags = (tags: ReadonlyArray<ResourceTag>): RegistryError | undefined => {
  const reserved = tags.find((tag) => tag.Key.toLowerCase().startsWith("aws:"));
  if (reserved !== undefined) {
    return RegistryErrors.invalidTagParameter(`Tag key '${reserved.Key}' uses the reserved prefix 'aws:'`);
  }
  return undefined;
};

const tooMany = (count: number) =>
  RegistryErrors.tooManyTags(
    `A repository can have at most ${RESOURCE_TAG_LIMITS.maxTags} tags; this request would give it ${count}`,
  );

const checkExclusions = (mutability: ImageTagMutability, filters: ReadonlyArray<unknown> | undefined) => {
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

export const decideCreateRepository = (state: RegistryState, { data }: CreateRepository): Decision => {
  if (findRepository(state, data.registryId, data.repositoryName) !== undefined) {
    return refuse(RegistryErrors.repositoryAlreadyExists(data.registryId, data.repositoryName));
  }
  const tags = data.tags ?? [];
  const distinctKeys = new Set(tags.map((tag) => tag.Key)).size;
  if (distinctKeys > RESOURCE_TAG_LIMITS.maxTags) return refuse(tooMany(distinctKeys));
  const tagError = checkResourceTags(tags);
  if (tagError !== undefined) return refuse(tagError);
  const imageTagMutability = data.imageTagMutability ?? "MUTABLE";
  const exclusionError = checkExclusions(imageTagMutability, data.imageTagMutabilityExclusionFilters);
  if (exclusionError !== undefined) return refuse(exclusionError);
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

export const decideDeleteRepository = (state: RegistryState, { data }: DeleteRepository): Decision =>
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

export const decidePutImageTagMutability = (
  state: RegistryState,
  { data }: PutImageTagMutability,
): Decision =>
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

export const decideSetRepositoryPolicy = (state: RegistryState, { data }: SetRepositoryPolicy): Decision =>
  pipe(
    requireRepository(state, data),
    E.chain(() =>
      isPolicyDocument(data.policyText)
        ? accept({
            type: "RepositoryPolicySet",
            data: {
              registryId: data.registryId,
              repositoryName: data.repositoryName,
              policyText: data.policyText,
            },
          })
        : refuse(
            RegistryErrors.invalidParameter(
              "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'",
            ),
          ),
    ),
  );

export const decideDeleteRepositoryPolicy = (
  state: RegistryState,
  { data }: DeleteRepositoryPolicy,
): Decision =>
  pipe(
    requireRepository(state, data),
    E.chain((repository) =>
      repository.policyText === undefined
        ? refuse(RegistryErrors.repositoryPolicyNotFound(data.registryId, data.repositoryName))
        : accept({
            type: "RepositoryPolicyDeleted",
            data: { registryId: data.registryId, repositoryName: data.repositoryName },
          }),
    ),
  );

export const decideTagResource = (state: RegistryState, { data }: TagResource): Decision =>
  pipe(
    requireRepository(state, data),
    E.chain((repository) => {
      const tagError = checkResourceTags(data.tags);
      if (tagError !== undefined) return refuse(tagError);
      const keys = new Set([...repository.resourceTags.keys(), ...data.tags.map((tag) => tag.Key)]);
      if (keys.size > RESOURCE_TAG_LIMITS.maxTags) return refuse(tooMany(keys.size));
      return accept({
        type: "ResourceTagsAdded",
        data: { registryId: data.registryId, repositoryName: data.repositoryName, tags: data.tags },
      });
    }),
  );

export const decideUntagResource = (state: RegistryState, { data }: UntagResource): Decision =>
  pipe(
    requireRepository(state, data),
    E.chain(() => {
      const reserved = data.tagKeys.find((key) => key.toLowerCase().startsWith("aws:"));
      if (reserved !== undefined) {
        return refuse(
          RegistryErrors.invalidTagParameter(`Tag key '${reserved}' uses the reserved prefix 'aws:'`),
        );
      }
      return accept({
        type: "ResourceTagsRemoved",
        data: { registryId: data.registryId, repositoryName: data.repositoryName, tagKeys: data.tagKeys },
      });
    }),
  );
