/** Requests of the ECR replication operations, with the model's constraints. */
import * as t from "io-ts";
import { boundedList, boundedString, declared, structure } from "../kernel/constraint-codecs.js";
import { imageIdentifier, registryId, repositoryName } from "../kernel/request-members.js";

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

export const replicationRequests = {
  PutReplicationConfiguration: PutReplicationConfigurationRequest,
  DescribeImageReplicationStatus: DescribeImageReplicationStatusRequest,
} as const;
