/** Requests of the ECR operations on repositories, and the members only they use. */
import type * as t from "io-ts";
import { BrandedMembers } from "../kernel/branded-members.js";
import { boundedList, boundedString, flag, structure } from "../kernel/constraint-codecs.js";
import { force, maxResults, nextToken, registryId, repositoryName, tags } from "../kernel/request-members.js";

const imageTagMutability = BrandedMembers.ImageTagMutability;
const repositoryNames = boundedList(repositoryName, { min: 1, max: 100 }, "RepositoryNameList");
export const imageTagMutabilityExclusionFilters = boundedList(
  structure(
    "ImageTagMutabilityExclusionFilter",
    {
      filterType: BrandedMembers.ImageTagMutabilityExclusionFilterType,
      filter: BrandedMembers.ImageTagMutabilityExclusionFilterValue,
    },
    {},
  ),
  { min: 1, max: 5 },
  "ImageTagMutabilityExclusionFilters",
);
export const imageScanningConfiguration = structure(
  "ImageScanningConfiguration",
  {},
  { scanOnPush: flag("ScanOnPushFlag") },
);
const encryptionConfiguration = structure(
  "EncryptionConfiguration",
  { encryptionType: BrandedMembers.EncryptionType },
  { kmsKey: boundedString({ min: 1, max: 2048 }, "KmsKey") },
);

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

export const repositoryRequests = {
  CreateRepository: CreateRepositoryRequest,
  DeleteRepository: DeleteRepositoryRequest,
  DescribeRepositories: DescribeRepositoriesRequest,
  PutImageTagMutability: PutImageTagMutabilityRequest,
} as const;
