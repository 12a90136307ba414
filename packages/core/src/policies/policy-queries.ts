/** GetRepositoryPolicy, GetRegistryPolicy and ListTagsForResource. */
import * as E from "fp-ts/lib/Either.js";
import { type RegistryError, RegistryErrors } from "../kernel/registry-errors.js";
import {
  type RegistryState,
  type RepositoryState,
  registrySettings,
  requireRepository,
} from "../kernel/registry-state.js";
import type { RegistryId, RepositoryName, ResourceTag } from "../values/primitives.js";

export interface RepositoryQuery {
  readonly registryId: RegistryId;
  readonly repositoryName: RepositoryName;
}

export const getRepositoryPolicy = (
  state: RegistryState,
  query: RepositoryQuery,
): E.Either<RegistryError, { registryId: RegistryId; repositoryName: RepositoryName; policyText: string }> =>
  E.chain((repository: RepositoryState) =>
    repository.policyText === undefined
      ? E.left<RegistryError>(RegistryErrors.repositoryPolicyNotFound(query.registryId, query.repositoryName))
      : E.right({
          registryId: query.registryId,
          repositoryName: query.repositoryName,
          policyText: repository.policyText,
        }),
  )(requireRepository(state, query));

export const getRegistryPolicy = (
  state: RegistryState,
  query: { readonly registryId: RegistryId },
): E.Either<RegistryError, { registryId: RegistryId; policyText: string }> => {
  const policyText = registrySettings(state, query.registryId).policyText;
  return policyText === undefined
    ? E.left(RegistryErrors.registryPolicyNotFound(query.registryId))
    : E.right({ registryId: query.registryId, policyText });
};

export const listTagsForResource = (
  state: RegistryState,
  query: RepositoryQuery,
): E.Either<RegistryError, { tags: ReadonlyArray<ResourceTag> }> =>
  E.map((repository: RepositoryState) => ({
    tags: [...repository.resourceTags].map(([Key, Value]) => ({ Key, Value })),
  }))(requireRepository(state, query));
