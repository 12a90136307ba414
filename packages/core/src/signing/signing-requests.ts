/** Requests of the ECR operations on signing and referrers, with the model's constraints. */
import * as t from "io-ts";
import { BrandedMembers } from "../kernel/branded-members.js";
import { boundedInt, boundedList, boundedString, declared, structure } from "../kernel/constraint-codecs.js";
import { nextToken, registryId, repositoryName } from "../kernel/request-members.js";

/** A closed set of strings, as the model's enums are. */
const oneOf = <const K extends string>(name: string, values: ReadonlyArray<K>) =>
  declared(t.keyof(Object.fromEntries(values.map((v) => [v, null])) as Record<K, null>, name), {
    kind: "enum",
    values,
  });

const signingRepositoryFilter = structure(
  "SigningRepositoryFilter",
  {
    filter: boundedString(
      {
        min: 1,
        max: 256,
        pattern: "^(?:[a-z0-9*]+(?:[._-][a-z0-9*]+)*/)*[a-z0-9*]+(?:[._-][a-z0-9*]+)*$",
      },
      "SigningRepositoryFilterValue",
    ),
    filterType: oneOf("SigningRepositoryFilterType", ["WILDCARD_MATCH"]),
  },
  {},
);
const signingRule = structure(
  "SigningRule",
  {
    signingProfileArn: boundedString(
      {
        max: 200,
        pattern: "^arn:aws(-[a-z]+)*:signer:[a-z0-9-]+:[0-9]{12}:\\/signing-profiles\\/[a-zA-Z0-9_]{2,}$",
      },
      "SigningProfileArn",
    ),
  },
  {
    repositoryFilters: boundedList(
      signingRepositoryFilter,
      { min: 1, max: 100 },
      "SigningRepositoryFilterList",
    ),
  },
);
const signingConfiguration = structure(
  "SigningConfiguration",
  { rules: boundedList(signingRule, { min: 0, max: 10 }, "SigningRuleList") },
  {},
);

export const PutSigningConfigurationRequest = structure(
  "PutSigningConfigurationRequest",
  { signingConfiguration },
  {},
);
export type PutSigningConfigurationRequest = t.TypeOf<typeof PutSigningConfigurationRequest>;

export const GetSigningConfigurationRequest = structure("GetSigningConfigurationRequest", {}, {});
export const DeleteSigningConfigurationRequest = structure("DeleteSigningConfigurationRequest", {}, {});

export const DescribeImageSigningStatusRequest = structure(
  "DescribeImageSigningStatusRequest",
  {
    repositoryName,
    imageId: structure(
      "ImageIdentifier",
      {},
      { imageDigest: boundedString({}, "ImageDigest"), imageTag: BrandedMembers.ImageTag },
    ),
  },
  { registryId },
);
export type DescribeImageSigningStatusRequest = t.TypeOf<typeof DescribeImageSigningStatusRequest>;

export const ListImageReferrersRequest = structure(
  "ListImageReferrersRequest",
  {
    repositoryName,
    subjectId: structure("SubjectIdentifier", { imageDigest: boundedString({}, "ImageDigest") }, {}),
  },
  {
    registryId,
    filter: structure(
      "ListImageReferrersFilter",
      {},
      {
        artifactTypes: boundedList(
          boundedString({ min: 1, max: 255 }, "ArtifactType"),
          { min: 0, max: 5 },
          "ArtifactTypeList",
        ),
        artifactStatus: oneOf("ArtifactStatusFilter", ["ACTIVE", "ARCHIVED", "ACTIVATING", "ANY"]),
      },
    ),
    nextToken,
    maxResults: boundedInt({ min: 1, max: 50 }, "FiftyMaxResults"),
  },
);
export type ListImageReferrersRequest = t.TypeOf<typeof ListImageReferrersRequest>;

export const signingRequests = {
  PutSigningConfiguration: PutSigningConfigurationRequest,
  GetSigningConfiguration: GetSigningConfigurationRequest,
  DeleteSigningConfiguration: DeleteSigningConfigurationRequest,
  DescribeImageSigningStatus: DescribeImageSigningStatusRequest,
  ListImageReferrers: ListImageReferrersRequest,
} as const;
