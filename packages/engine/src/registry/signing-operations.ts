/**
 * Signing and referrers (ECR's signing configuration, DescribeImageSigningStatus,
 * ListImageReferrers) and pull-time update exclusions: registry settings recorded in the log, and
 * queries over the referrer index Berth keeps for `/v2`.
 */
import {
  describeImageSigningStatus,
  getSigningConfiguration,
  listImageReferrers,
  listPullTimeUpdateExclusions,
  type RegistryId,
  registrySettings,
  type SigningRuleState,
} from "@berth/core";
import type {
  AnswerOf,
  RegistryInput,
  RegistryRuntime,
  RepositoryInput,
  Result,
} from "./registry-runtime.js";

type SigningConfiguration = { readonly rules: ReadonlyArray<SigningRuleState> };

export interface SigningOperations {
  /** ECR PutSigningConfiguration: replaces the registry's rules (at most 10). */
  putSigningConfiguration(
    input: RegistryInput & { readonly signingConfiguration: SigningConfiguration },
  ): Result<{ signingConfiguration: SigningConfiguration }>;
  /** ECR GetSigningConfiguration: SigningConfigurationNotFoundException when none is set. */
  getSigningConfiguration(input?: RegistryInput): Result<AnswerOf<typeof getSigningConfiguration>>;
  /** ECR DeleteSigningConfiguration: answers the configuration it deleted. */
  deleteSigningConfiguration(
    input?: RegistryInput,
  ): Result<{ registryId: RegistryId; signingConfiguration: SigningConfiguration }>;
  /** ECR DescribeImageSigningStatus: per rule covering the repository, whether a signature refers to the image. */
  describeImageSigningStatus(
    input: RepositoryInput & {
      readonly imageId: { readonly imageDigest?: string; readonly imageTag?: string };
    },
  ): Result<AnswerOf<typeof describeImageSigningStatus>>;
  /** ECR ListImageReferrers: the image's OCI referrers, filtered by artifact type, a page at a time. */
  listImageReferrers(
    input: Omit<Parameters<typeof listImageReferrers>[1], "registryId"> & RegistryInput,
  ): Result<AnswerOf<typeof listImageReferrers>>;
  /** ECR RegisterPullTimeUpdateExclusion: ExclusionAlreadyExistsException when registered. */
  registerPullTimeUpdateExclusion(
    input: RegistryInput & { readonly principalArn: string },
  ): Result<{ principalArn: string; createdAt: number }>;
  /** ECR DeregisterPullTimeUpdateExclusion: ExclusionNotFoundException when not registered. */
  deregisterPullTimeUpdateExclusion(
    input: RegistryInput & { readonly principalArn: string },
  ): Result<{ principalArn: string }>;
  /** ECR ListPullTimeUpdateExclusions, in registration order. */
  listPullTimeUpdateExclusions(
    input?: RegistryInput & { readonly maxResults?: number; readonly nextToken?: string },
  ): Result<AnswerOf<typeof listPullTimeUpdateExclusions>>;
}

export const signingOperations = (runtime: RegistryRuntime): SigningOperations => {
  const { run, runObserving, query, registryOf, refOf, now } = runtime;
  return {
    putSigningConfiguration: (input) => {
      const registryId = registryOf(input);
      const rules = input.signingConfiguration.rules;
      return run({ type: "PutSigningConfiguration", data: { registryId, rules } }, () => ({
        signingConfiguration: { rules },
      }));
    },
    getSigningConfiguration: (input = {}) =>
      query((state) => getSigningConfiguration(state, { registryId: registryOf(input) })),
    deleteSigningConfiguration: (input = {}) => {
      const registryId = registryOf(input);
      return runObserving(
        { type: "DeleteSigningConfiguration", data: { registryId } },
        (before) => registrySettings(before, registryId).signingRules ?? [],
        (rules) => ({ registryId, signingConfiguration: { rules } }),
      );
    },
    describeImageSigningStatus: (input) =>
      query((state) => describeImageSigningStatus(state, { ...refOf(input), imageId: input.imageId })),
    listImageReferrers: (input) =>
      query((state) => listImageReferrers(state, { ...input, registryId: registryOf(input) })),
    registerPullTimeUpdateExclusion: (input) => {
      const createdAt = now();
      return run(
        {
          type: "RegisterPullTimeUpdateExclusion",
          data: { registryId: registryOf(input), principalArn: input.principalArn, createdAt },
        },
        () => ({ principalArn: input.principalArn, createdAt }),
      );
    },
    deregisterPullTimeUpdateExclusion: (input) =>
      run(
        {
          type: "DeregisterPullTimeUpdateExclusion",
          data: { registryId: registryOf(input), principalArn: input.principalArn },
        },
        () => ({ principalArn: input.principalArn }),
      ),
    listPullTimeUpdateExclusions: (input = {}) =>
      query((state) => listPullTimeUpdateExclusions(state, { ...input, registryId: registryOf(input) })),
  };
};
