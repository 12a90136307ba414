/**
 * Requests of the ECR replication operations, with the model's constraints. The four backfill
 * operations are newer than the botocore model the tests read: their members and required members
 * are the AWS SDK's (checked against @aws-sdk/client-ecr's schemas), their bounds its doc comments'
 * (maxResults 1–50 for ListReplicationBackfills, 1–1000 for DescribeReplicationBackfillResults).
 */
import * as t from "io-ts";
import { boundedInt, boundedList, boundedString, declared, structure } from "../kernel/constraint-codecs.js";
import {
  imageIdentifier,
  maxResults,
  nextToken,
  registryId,
  repositoryName,
} from "../kernel/request-members.js";

const region = boundedString({ min: 2, max: 25, pattern: "[0-9a-z-]{2,25}" }, "Region");
const destination = structure("ReplicationDestination", { region, registryId }, {});
const repositoryFilter = structure(
  "RepositoryFilter",
  {
    filter: boundedString(
      { min: 2, max: 256, pattern: "^(?:[a-z0-9]+(?:[._-][a-z0-9]*)*/)*[a-z0-9]*(?:[._-][a-z0-9]*)*$" },
      "RepositoryFilterValue",
    ),
    filterType: declared(t.keyof({ PREFIX_MATCH: null }), { kind: "enum", values: ["PREFIX_MATCH"] }),
  },
  {},
);
const rule = structure(
  "ReplicationRule",
  { destinations: boundedList(destination, { min: 0, max: 100 }, "ReplicationDestinationList") },
  { repositoryFilters: boundedList(repositoryFilter, { min: 1, max: 100 }, "RepositoryFilterList") },
);
const replicationConfiguration = structure(
  "ReplicationConfiguration",
  { rules: boundedList(rule, { min: 0, max: 10 }, "ReplicationRuleList") },
  {},
);

export const PutReplicationConfigurationRequest = structure(
  "PutReplicationConfigurationRequest",
  { replicationConfiguration },
  {},
);
export type PutReplicationConfigurationRequest = t.TypeOf<typeof PutReplicationConfigurationRequest>;

export const DescribeImageReplicationStatusRequest = structure(
  "DescribeImageReplicationStatusRequest",
  { repositoryName, imageId: imageIdentifier },
  { registryId },
);
export type DescribeImageReplicationStatusRequest = t.TypeOf<typeof DescribeImageReplicationStatusRequest>;

const replicationBackfillId = boundedString({}, "ReplicationBackfillId");

export const StartReplicationBackfillRequest = structure(
  "StartReplicationBackfillRequest",
  { destination },
  { registryId },
);
export type StartReplicationBackfillRequest = t.TypeOf<typeof StartReplicationBackfillRequest>;
export const StopReplicationBackfillRequest = structure(
  "StopReplicationBackfillRequest",
  { replicationBackfillId },
  { registryId },
);
export type StopReplicationBackfillRequest = t.TypeOf<typeof StopReplicationBackfillRequest>;
export const ListReplicationBackfillsRequest = structure(
  "ListReplicationBackfillsRequest",
  {},
  {
    registryId,
    maxResults: boundedInt({ min: 1, max: 50 }, "ListReplicationBackfillsMaxResults"),
    nextToken,
  },
);
export type ListReplicationBackfillsRequest = t.TypeOf<typeof ListReplicationBackfillsRequest>;
export const DescribeReplicationBackfillResultsRequest = structure(
  "DescribeReplicationBackfillResultsRequest",
  { replicationBackfillId },
  {
    registryId,
    resultStatusFilter: declared(t.keyof({ COMPLETE: null, FAILED: null }), {
      kind: "enum",
      values: ["COMPLETE", "FAILED"],
    }),
    maxResults,
    nextToken,
  },
);
export type DescribeReplicationBackfillResultsRequest = t.TypeOf<
  typeof DescribeReplicationBackfillResultsRequest
>;

/** The backfill operations: in the AWS SDK's model, not yet in botocore's. */
export const replicationBackfillRequests = {
  StartReplicationBackfill: StartReplicationBackfillRequest,
  StopReplicationBackfill: StopReplicationBackfillRequest,
  ListReplicationBackfills: ListReplicationBackfillsRequest,
  DescribeReplicationBackfillResults: DescribeReplicationBackfillResultsRequest,
} as const;

export const replicationRequests = {
  PutReplicationConfiguration: PutReplicationConfigurationRequest,
  DescribeImageReplicationStatus: DescribeImageReplicationStatusRequest,
  ...replicationBackfillRequests,
} as const;
