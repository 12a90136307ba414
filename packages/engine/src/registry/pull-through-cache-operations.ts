/**
 * Pull-through cache rules (ECR Create/Update/Delete/Describe/ValidatePullThroughCacheRule):
 * registry settings recorded in the log. The fill itself (a pull of what a cache repository does
 * not hold yet) is in pull-through-fill.ts and runs inside the pull operations.
 */
import {
  type CreatePullThroughCacheRule,
  describePullThroughCacheRules,
  findPullThroughCacheRule,
  type PullThroughCacheRule,
  RegistryErrors,
  type RegistryId,
  upstreamBaseUrl,
} from "@berth/core";
import * as E from "fp-ts/lib/Either.js";
import type { PullThroughOptions, UpstreamRegistry } from "../ports/upstream-registry.js";
import { noUpstream } from "../ports/upstream-registry.js";
import type { AnswerOf, RegistryInput, RegistryRuntime, Result } from "./registry-runtime.js";

type RuleAnswer = PullThroughCacheRule & { readonly registryId: RegistryId };
type CreateInput = RegistryInput &
  Omit<CreatePullThroughCacheRule["data"], "registryId" | "createdAt" | "credentialKnown">;
interface PrefixInput extends RegistryInput {
  readonly ecrRepositoryPrefix: string;
}

export interface PullThroughCacheOperations {
  /** ECR CreatePullThroughCacheRule: PullThroughCacheRuleAlreadyExistsException for a prefix taken. */
  createPullThroughCacheRule(input: CreateInput): Result<RuleAnswer>;
  /** ECR UpdatePullThroughCacheRule: replaces the rule's credentialArn and customRoleArn. */
  updatePullThroughCacheRule(
    input: PrefixInput & { readonly credentialArn?: string; readonly customRoleArn?: string },
  ): Result<RuleAnswer>;
  /** ECR DeletePullThroughCacheRule: answers the rule it deleted (cached repositories stay). */
  deletePullThroughCacheRule(input: PrefixInput): Result<RuleAnswer>;
  /** ECR DescribePullThroughCacheRules, in creation order, paginated. */
  describePullThroughCacheRules(
    input?: RegistryInput & {
      readonly ecrRepositoryPrefixes?: ReadonlyArray<string>;
      readonly maxResults?: number;
      readonly nextToken?: string;
    },
  ): Result<AnswerOf<typeof describePullThroughCacheRules>>;
  /** ECR ValidatePullThroughCacheRule: whether the upstream answers with the rule's credentials. */
  validatePullThroughCacheRule(
    input: PrefixInput,
  ): Result<RuleAnswer & { readonly isValid: boolean; readonly failure?: string }>;
}

export const pullThroughCacheOperations = (
  runtime: RegistryRuntime,
  options: PullThroughOptions,
): PullThroughCacheOperations => {
  const { run, runObserving, query, registryOf, now, handler } = runtime;
  const upstream: UpstreamRegistry = options.upstream ?? noUpstream;
  const known = (arn: string | undefined) =>
    arn !== undefined && options.upstreamCredentials?.has(arn) === true;
  const ruleOf = (registryId: RegistryId, prefix: string): RuleAnswer => ({
    registryId,
    ...findPullThroughCacheRule(handler.state, registryId, prefix)!,
  });
  const requireRule = (registryId: RegistryId, prefix: string) =>
    query((state) => {
      const rule = findPullThroughCacheRule(state, registryId, prefix);
      return rule === undefined
        ? E.left(RegistryErrors.pullThroughCacheRuleNotFound(prefix, registryId))
        : E.right({ registryId, ...rule });
    });

  return {
    createPullThroughCacheRule: (input) => {
      const registryId = registryOf(input);
      const { registryId: _, ...rule } = input;
      return run(
        {
          type: "CreatePullThroughCacheRule",
          data: { ...rule, registryId, createdAt: now(), credentialKnown: known(input.credentialArn) },
        },
        () => ruleOf(registryId, input.ecrRepositoryPrefix),
      );
    },
    updatePullThroughCacheRule: (input) => {
      const registryId = registryOf(input);
      const { registryId: _, ...update } = input;
      return run(
        {
          type: "UpdatePullThroughCacheRule",
          data: { ...update, registryId, updatedAt: now(), credentialKnown: known(input.credentialArn) },
        },
        () => ruleOf(registryId, input.ecrRepositoryPrefix),
      );
    },
    deletePullThroughCacheRule: (input) => {
      const registryId = registryOf(input);
      return runObserving(
        {
          type: "DeletePullThroughCacheRule",
          data: { registryId, ecrRepositoryPrefix: input.ecrRepositoryPrefix },
        },
        (before) => findPullThroughCacheRule(before, registryId, input.ecrRepositoryPrefix)!,
        (rule) => ({ registryId, ...rule }),
      );
    },
    describePullThroughCacheRules: (input = {}) =>
      query((state) => describePullThroughCacheRules(state, { ...input, registryId: registryOf(input) })),
    validatePullThroughCacheRule: async (input) => {
      const found = await requireRule(registryOf(input), input.ecrRepositoryPrefix);
      if (E.isLeft(found)) return found;
      const rule = found.right;
      const credentials =
        rule.credentialArn === undefined ? undefined : options.upstreamCredentials?.get(rule.credentialArn);
      try {
        await upstream.check({
          url: upstreamBaseUrl(rule.upstreamRegistryUrl) ?? rule.upstreamRegistryUrl,
          ...(credentials === undefined ? {} : { credentials }),
        });
        return E.right({ ...rule, isValid: true });
      } catch (error) {
        return E.right({
          ...rule,
          isValid: false,
          failure: error instanceof Error ? error.message : String(error),
        });
      }
    },
  };
};
