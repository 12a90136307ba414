/** Requests of the ECR operations on pull-through cache rules, with the model's constraints. */
import * as t from "io-ts";
import { boundedList, boundedString, declared, structure } from "../kernel/constraint-codecs.js";
import { maxResults, nextToken, registryId } from "../kernel/request-members.js";
import { UPSTREAM_REGISTRIES } from "./cache-rule-values.js";

const ecrRepositoryPrefix = boundedString(
  {
    min: 2,
    max: 30,
    pattern: "^([a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(\\/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*\\/?|ROOT)$",
  },
  "PullThroughCacheRuleRepositoryPrefix",
);
const upstreamRegistryUrl = boundedString({}, "Url");
const upstreamRegistry = declared(
  t.keyof(
    Object.fromEntries(UPSTREAM_REGISTRIES.map((kind) => [kind, null])) as Record<
      (typeof UPSTREAM_REGISTRIES)[number],
      null
    >,
  ),
  { kind: "enum", values: [...UPSTREAM_REGISTRIES] },
);
const credentialArn = boundedString(
  {
    min: 50,
    max: 612,
    pattern:
      "^arn:aws(-\\w+)*:secretsmanager:[a-zA-Z0-9-:]+:secret:ecr\\-pullthroughcache\\/[a-zA-Z0-9\\/_+=.@-]+$",
  },
  "CredentialArn",
);
const customRoleArn = boundedString({ max: 2048 }, "CustomRoleArn");

export const CreatePullThroughCacheRuleRequest = structure(
  "CreatePullThroughCacheRuleRequest",
  { ecrRepositoryPrefix, upstreamRegistryUrl },
  {
    registryId,
    upstreamRegistry,
    credentialArn,
    customRoleArn,
    upstreamRepositoryPrefix: ecrRepositoryPrefix,
  },
);
export type CreatePullThroughCacheRuleRequest = t.TypeOf<typeof CreatePullThroughCacheRuleRequest>;

export const DeletePullThroughCacheRuleRequest = structure(
  "DeletePullThroughCacheRuleRequest",
  { ecrRepositoryPrefix },
  { registryId },
);

export const DescribePullThroughCacheRulesRequest = structure(
  "DescribePullThroughCacheRulesRequest",
  {},
  {
    registryId,
    ecrRepositoryPrefixes: boundedList(
      ecrRepositoryPrefix,
      { min: 1, max: 100 },
      "PullThroughCacheRuleRepositoryPrefixList",
    ),
    nextToken,
    maxResults,
  },
);

export const UpdatePullThroughCacheRuleRequest = structure(
  "UpdatePullThroughCacheRuleRequest",
  { ecrRepositoryPrefix },
  { registryId, credentialArn, customRoleArn },
);

export const ValidatePullThroughCacheRuleRequest = structure(
  "ValidatePullThroughCacheRuleRequest",
  { ecrRepositoryPrefix },
  { registryId },
);

export const pullThroughCacheRequests = {
  CreatePullThroughCacheRule: CreatePullThroughCacheRuleRequest,
  DeletePullThroughCacheRule: DeletePullThroughCacheRuleRequest,
  DescribePullThroughCacheRules: DescribePullThroughCacheRulesRequest,
  UpdatePullThroughCacheRule: UpdatePullThroughCacheRuleRequest,
  ValidatePullThroughCacheRule: ValidatePullThroughCacheRuleRequest,
} as const;
