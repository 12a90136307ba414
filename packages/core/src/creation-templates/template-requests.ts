/** Requests of the ECR operations on repository creation templates, with the model's constraints. */
import type * as t from "io-ts";
import { BrandedMembers } from "../kernel/branded-members.js";
import { boundedList, boundedString, declared, structure } from "../kernel/constraint-codecs.js";
import { maxResults, nextToken, tags } from "../kernel/request-members.js";
import { imageTagMutabilityExclusionFilters } from "../repositories/repository-requests.js";
import { RepositoryCreationPurpose } from "./template-values.js";

const prefix = boundedString(
  {
    min: 1,
    max: 256,
    pattern: "^([a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(\\/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*\\/?|ROOT)$",
  },
  "Prefix",
);
const appliedFor = boundedList(
  declared(RepositoryCreationPurpose, {
    kind: "enum",
    values: ["REPLICATION", "PULL_THROUGH_CACHE", "CREATE_ON_PUSH"],
  }),
  {},
  "RCTAppliedForList",
);
const encryptionConfiguration = structure(
  "EncryptionConfigurationForRepositoryCreationTemplate",
  { encryptionType: BrandedMembers.EncryptionType },
  {
    kmsKey: boundedString(
      { min: 0, max: 2048, pattern: "^$|arn:aws[a-z0-9-]*:kms:[a-z0-9-]+:[0-9]{12}:key\\/[a-z0-9-]+" },
      "KmsKeyForRepositoryCreationTemplate",
    ),
  },
);

/** The members Create and Update share. */
const settings = {
  description: boundedString({ max: 256 }, "RepositoryTemplateDescription"),
  encryptionConfiguration,
  resourceTags: tags,
  imageTagMutability: BrandedMembers.ImageTagMutability,
  imageTagMutabilityExclusionFilters,
  repositoryPolicy: boundedString({ min: 0, max: 10_240 }, "RepositoryPolicyText"),
  lifecyclePolicy: boundedString({ min: 0, max: 30_720 }, "LifecyclePolicyTextForRepositoryCreationTemplate"),
  customRoleArn: boundedString({ max: 2048 }, "CustomRoleArn"),
};

export const CreateRepositoryCreationTemplateRequest = structure(
  "CreateRepositoryCreationTemplateRequest",
  { prefix, appliedFor },
  settings,
);
export type CreateRepositoryCreationTemplateRequest = t.TypeOf<
  typeof CreateRepositoryCreationTemplateRequest
>;

export const UpdateRepositoryCreationTemplateRequest = structure(
  "UpdateRepositoryCreationTemplateRequest",
  { prefix },
  { ...settings, appliedFor },
);

export const DeleteRepositoryCreationTemplateRequest = structure(
  "DeleteRepositoryCreationTemplateRequest",
  { prefix },
  {},
);

export const DescribeRepositoryCreationTemplatesRequest = structure(
  "DescribeRepositoryCreationTemplatesRequest",
  {},
  { prefixes: boundedList(prefix, {}, "PrefixList"), nextToken, maxResults },
);

export const creationTemplateRequests = {
  CreateRepositoryCreationTemplate: CreateRepositoryCreationTemplateRequest,
  UpdateRepositoryCreationTemplate: UpdateRepositoryCreationTemplateRequest,
  DeleteRepositoryCreationTemplate: DeleteRepositoryCreationTemplateRequest,
  DescribeRepositoryCreationTemplates: DescribeRepositoryCreationTemplatesRequest,
} as const;
