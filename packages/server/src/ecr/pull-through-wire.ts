/**
 * Pull-through cache rules as each ECR operation answers them: every operation's response shape
 * holds its own subset of the rule's members (the model's), with timestamps in epoch seconds.
 */
import type { PullThroughCacheRule, RegistryError, RegistryId } from "@berth/core";
import * as E from "fp-ts/lib/Either.js";
import { withEpochSeconds } from "./wire.js";

type RuleAnswer = PullThroughCacheRule & { readonly registryId: RegistryId };
type Member = keyof RuleAnswer | "isValid" | "failure";

const COMMON: ReadonlyArray<Member> = [
  "ecrRepositoryPrefix",
  "registryId",
  "credentialArn",
  "customRoleArn",
  "upstreamRepositoryPrefix",
];

/** The members each operation's response shape has, after the model. */
export const RULE_MEMBERS = {
  CreatePullThroughCacheRule: [...COMMON, "upstreamRegistryUrl", "createdAt", "upstreamRegistry"],
  DeletePullThroughCacheRule: [...COMMON, "upstreamRegistryUrl", "createdAt"],
  DescribePullThroughCacheRules: [
    ...COMMON,
    "upstreamRegistryUrl",
    "createdAt",
    "upstreamRegistry",
    "updatedAt",
  ],
  UpdatePullThroughCacheRule: [...COMMON, "updatedAt"],
  ValidatePullThroughCacheRule: [...COMMON, "upstreamRegistryUrl", "isValid", "failure"],
} as const satisfies Record<string, ReadonlyArray<Member>>;

export const ruleOnWire = (rule: object, members: ReadonlyArray<Member>): Record<string, unknown> =>
  withEpochSeconds(
    Object.fromEntries(
      Object.entries(rule).filter(([member]) => (members as ReadonlyArray<string>).includes(member)),
    ),
    ["createdAt", "updatedAt"],
  );

/** The rule answered by a Create, Update, Delete or Validate, shaped for `operation`. */
export const ruleAnswerOnWire =
  (operation: Exclude<keyof typeof RULE_MEMBERS, "DescribePullThroughCacheRules">) =>
  (answer: E.Either<RegistryError, object>): E.Either<RegistryError, Record<string, unknown>> =>
    E.map((rule: object) => ruleOnWire(rule, RULE_MEMBERS[operation]))(answer);

export const rulesPageOnWire = (
  answer: E.Either<RegistryError, { pullThroughCacheRules: ReadonlyArray<RuleAnswer>; nextToken?: string }>,
) =>
  E.map((page: { pullThroughCacheRules: ReadonlyArray<RuleAnswer>; nextToken?: string }) => ({
    ...page,
    pullThroughCacheRules: page.pullThroughCacheRules.map((rule) =>
      ruleOnWire(rule, RULE_MEMBERS.DescribePullThroughCacheRules),
    ),
  }))(answer);
