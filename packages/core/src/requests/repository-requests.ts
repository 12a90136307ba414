/** Requests of the ECR operations on repositories. */
import type * as t from "io-ts";
import { structure } from "./constraint-codecs.js";
import {
  encryptionConfiguration,
  force,
  imageScanningConfiguration,
  imageTagMutability,
  imageTagMutabilityExclusionFilters,
  maxResults,
  nextToken,
  registryId,
  repositoryName,
  repositoryNames,
  tags,
} from "./members.js";

export const CreateRepositoryRequest = structure(
  "CreateRepositoryRequest",
  { repositoryName },
  {
    registryId,
    tags,
    imageTagMutability,
    imageTagMutabilityExclusionFilters,
    imageScanningConfiguration,
    encryptionConfiguration,
  },
);
export type CreateRepositoryRequest = t.TypeOf<typeof CreateRepositoryRequest>;

export const DeleteRepositoryRequest = structure(
  "DeleteRepositoryRequest",
  { repositoryName },
  { registryId, force },
);
export type DeleteRepositoryRequest = t.TypeOf<typeof DeleteRepositoryRequest>;

export const DescribeRepositoriesRequest = structure(
  "DescribeRepositoriesRequest",
  {},
  { registryId, repositoryNames, nextToken, maxResults },
);
export type DescribeRepositoriesRequest = t.TypeOf<typeof DescribeRepositoriesRequest>;

export const PutImageTagMutabilityRequest = structure(
  "PutImageTagMutabilityRequest",
  { repositoryName, imageTagMutability },
  { registryId, imageTagMutabilityExclusionFilters },
);
export type PutImageTagMutabilityRequest = t.TypeOf<typeof PutImageTagMutabilityRequest>;
