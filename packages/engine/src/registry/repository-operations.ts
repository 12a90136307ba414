/** Repositories: create, delete, describe, tag mutability, and the OCI catalog of names. */
import {
  type DescribeRepositoriesQuery,
  type DescribeRepositoriesResult,
  describeRepositories,
  describeRepository,
  type EncryptionType,
  findRepository,
  type ImageTagMutability,
  type ImageTagMutabilityExclusionFilter,
  type RegistryId,
  type RegistryState,
  type RepositoryDescription,
  type RepositoryName,
  type ResourceTag,
  repositoryNamesAfter,
} from "@berth/core";
import * as E from "fp-ts/lib/Either.js";
import type {
  RegistryInput,
  RegistryRuntime,
  RepositoryInput,
  Result,
  WithRegistry,
} from "./registry-runtime.js";

export interface CreateRepositoryInput extends RepositoryInput {
  readonly imageTagMutability?: ImageTagMutability;
  readonly imageTagMutabilityExclusionFilters?: ReadonlyArray<ImageTagMutabilityExclusionFilter>;
  readonly imageScanningConfiguration?: { readonly scanOnPush?: boolean };
  readonly encryptionConfiguration?: { readonly encryptionType: EncryptionType; readonly kmsKey?: string };
  readonly tags?: ReadonlyArray<ResourceTag>;
}

export interface TagMutabilityInput extends RepositoryInput {
  readonly imageTagMutability: ImageTagMutability;
  readonly imageTagMutabilityExclusionFilters?: ReadonlyArray<ImageTagMutabilityExclusionFilter>;
}

export interface RepositoryOperations {
  /** ECR CreateRepository: RepositoryAlreadyExistsException when the name is taken. */
  createRepository(input: CreateRepositoryInput): Result<{ repository: RepositoryDescription }>;
  /** ECR DeleteRepository: RepositoryNotEmptyException unless empty or `force`. */
  deleteRepository(
    input: RepositoryInput & { readonly force?: boolean },
  ): Result<{ repository: RepositoryDescription }>;
  /** ECR DescribeRepositories, paginated by `maxResults` and `nextToken`. */
  describeRepositories(input: WithRegistry<DescribeRepositoriesQuery>): Result<DescribeRepositoriesResult>;
  /** ECR PutImageTagMutability: answers the settings as stored. */
  putImageTagMutability(
    input: TagMutabilityInput,
  ): Result<TagMutabilityInput & { readonly registryId: RegistryId }>;
  /** Repository names in lexical order after `last`, at most `n`, and whether more follow (OCI catalog). */
  listRepositoryNames(
    input: RegistryInput & { readonly n: number; readonly last?: string },
  ): Result<{ names: ReadonlyArray<RepositoryName>; more: boolean }>;
}

export const repositoryOperations = (runtime: RegistryRuntime): RepositoryOperations => {
  const { handler, context, now, run, runObserving, query, refOf, registryOf } = runtime;
  /** Only called for a repository the command just found or created. */
  const describe = (state: RegistryState, ref: ReturnType<typeof refOf>) =>
    describeRepository(context, findRepository(state, ref.registryId, ref.repositoryName)!);

  return {
    createRepository: (input) => {
      const ref = refOf(input);
      const encryption = input.encryptionConfiguration;
      return run(
        {
          type: "CreateRepository",
          data: {
            ...ref,
            ...(input.imageTagMutability === undefined
              ? {}
              : { imageTagMutability: input.imageTagMutability }),
            ...(input.imageTagMutabilityExclusionFilters === undefined
              ? {}
              : { imageTagMutabilityExclusionFilters: input.imageTagMutabilityExclusionFilters }),
            scanOnPush: input.imageScanningConfiguration?.scanOnPush ?? false,
            encryptionType: encryption?.encryptionType ?? "AES256",
            ...(encryption?.kmsKey === undefined ? {} : { kmsKey: encryption.kmsKey }),
            tags: input.tags ?? [],
            createdAt: now(),
          },
        },
        () => ({ repository: describe(handler.state, ref) }),
      );
    },

    deleteRepository: (input) => {
      const ref = refOf(input);
      return runObserving(
        { type: "DeleteRepository", data: { ...ref, force: input.force ?? false, deletedAt: now() } },
        (before) => describe(before, ref),
        (repository) => ({ repository }),
      );
    },

    describeRepositories: (input) =>
      query((state) => describeRepositories(state, context, { ...input, registryId: registryOf(input) })),

    putImageTagMutability: (input) => {
      const ref = refOf(input);
      return run({ type: "PutImageTagMutability", data: { ...input, ...ref } }, () => ({
        ...ref,
        imageTagMutability: input.imageTagMutability,
        ...(input.imageTagMutabilityExclusionFilters === undefined
          ? {}
          : { imageTagMutabilityExclusionFilters: input.imageTagMutabilityExclusionFilters }),
      }));
    },

    listRepositoryNames: (input) =>
      query((state) => {
        const names = repositoryNamesAfter(state, registryOf(input), input.last ?? "");
        return E.right({ names: names.slice(0, input.n), more: names.length > input.n });
      }),
  };
};
