/** DescribeRepositories, and the repository names the OCI catalog lists. */
import * as E from "fp-ts/lib/Either.js";
import {
  decodeRepositoryToken,
  encodeRepositoryToken,
  type PageRequest,
  pageSize,
} from "../kernel/pagination.js";
import { type QueryContext, repositoryUri } from "../kernel/query-context.js";
import { type RegistryError, RegistryErrors } from "../kernel/registry-errors.js";
import { findRepository, type RegistryState, type RepositoryState } from "../kernel/registry-state.js";
import { repositoryArn } from "../values/arn.js";
import type {
  EncryptionType,
  ImageTagMutability,
  ImageTagMutabilityExclusionFilter,
  RegistryId,
  RepositoryName,
  Timestamp,
} from "../values/primitives.js";
import { accountOf, regionOf } from "../values/registry-key.js";

export interface RepositoryDescription {
  readonly repositoryArn: string;
  readonly registryId: RegistryId;
  readonly repositoryName: RepositoryName;
  readonly repositoryUri: string;
  readonly createdAt: Timestamp;
  readonly imageTagMutability: ImageTagMutability;
  readonly imageTagMutabilityExclusionFilters?: ReadonlyArray<ImageTagMutabilityExclusionFilter>;
  readonly imageScanningConfiguration: { readonly scanOnPush: boolean };
  readonly encryptionConfiguration: { readonly encryptionType: EncryptionType; readonly kmsKey?: string };
}

/**
 * The key a repository's images are encrypted with: the one it names, else for KMS encryption the
 * account's AWS-managed key for ECR in the region, as ECR answers it; none for AES256.
 */
const kmsKeyOf = (context: QueryContext, r: RepositoryState): string | undefined =>
  r.kmsKey ??
  (r.encryptionType === "AES256"
    ? undefined
    : `arn:aws:kms:${regionOf(r.registryId, context.region)}:${accountOf(r.registryId)}:alias/aws/ecr`);

export const describeRepository = (context: QueryContext, r: RepositoryState): RepositoryDescription => {
  const kmsKey = kmsKeyOf(context, r);
  return {
    repositoryArn: repositoryArn(context.region, r.registryId, r.name),
    registryId: r.registryId,
    repositoryName: r.name,
    repositoryUri: repositoryUri(context, r.registryId, r.name),
    createdAt: r.createdAt,
    imageTagMutability: r.imageTagMutability,
    ...(r.imageTagMutabilityExclusionFilters.length > 0
      ? { imageTagMutabilityExclusionFilters: r.imageTagMutabilityExclusionFilters }
      : {}),
    imageScanningConfiguration: { scanOnPush: r.scanOnPush },
    encryptionConfiguration: {
      encryptionType: r.encryptionType,
      ...(kmsKey === undefined ? {} : { kmsKey }),
    },
  };
};

/** The registry's repository names after `after`, in lexical order (DescribeRepositories, /v2/_catalog). */
export const repositoryNamesAfter = (
  state: RegistryState,
  registryId: RegistryId,
  after: string,
): ReadonlyArray<RepositoryName> =>
  [...state.repositories.values()]
    .filter((r) => r.registryId === registryId && r.name > after)
    .map((r) => r.name)
    .sort();

export interface DescribeRepositoriesQuery extends PageRequest {
  readonly registryId: RegistryId;
  readonly repositoryNames?: ReadonlyArray<RepositoryName>;
}

export interface DescribeRepositoriesResult {
  readonly repositories: ReadonlyArray<RepositoryDescription>;
  readonly nextToken?: string;
}

/**
 * Named repositories must all exist (RepositoryNotFoundException names the first that does not);
 * without names, every repository of the registry in name order, a page at a time.
 */
export const describeRepositories = (
  state: RegistryState,
  context: QueryContext,
  query: DescribeRepositoriesQuery,
): E.Either<RegistryError, DescribeRepositoriesResult> => {
  if (query.repositoryNames !== undefined) {
    const found: RepositoryDescription[] = [];
    for (const name of query.repositoryNames) {
      const repository = findRepository(state, query.registryId, name);
      if (repository === undefined) return E.left(RegistryErrors.repositoryNotFound(query.registryId, name));
      found.push(describeRepository(context, repository));
    }
    return E.right({ repositories: found });
  }
  return E.map((after: string) => {
    const names = repositoryNamesAfter(state, query.registryId, after);
    const page = names.slice(0, pageSize(query));
    const repositories = page.map((name) =>
      describeRepository(context, findRepository(state, query.registryId, name)!),
    );
    const last = page.at(-1);
    return names.length > page.length && last !== undefined
      ? { repositories, nextToken: encodeRepositoryToken(last) }
      : { repositories };
  })(decodeRepositoryToken(query.nextToken));
};
