/** Repository and registry permission policies, and the resource tags of repositories. */
import {
  findRepository,
  getRegistryPolicy,
  getRepositoryPolicy,
  listTagsForResource,
  parseRepositoryArn,
  type RegistryId,
  type RepositoryName,
  type ResourceTag,
  registryKey,
  registrySettings,
} from "@berth/core";
import * as E from "fp-ts/lib/Either.js";
import type {
  AnswerOf,
  RegistryInput,
  RegistryRuntime,
  RepositoryInput,
  RepositoryRef,
  Result,
} from "./registry-runtime.js";

type RepositoryPolicy = RepositoryRef & { readonly policyText: string };
type RegistryPolicy = { readonly registryId: RegistryId; readonly policyText: string };

export interface PolicyOperations {
  /** ECR SetRepositoryPolicy: the text must be a JSON policy document. */
  setRepositoryPolicy(
    input: RepositoryInput & { readonly policyText: string; readonly force?: boolean },
  ): Result<RepositoryPolicy>;
  /** ECR GetRepositoryPolicy: RepositoryPolicyNotFoundException when none is set. */
  getRepositoryPolicy(input: RepositoryInput): Result<AnswerOf<typeof getRepositoryPolicy>>;
  /** ECR DeleteRepositoryPolicy: answers the policy it deleted. */
  deleteRepositoryPolicy(input: RepositoryInput): Result<RepositoryPolicy>;
  /** ECR PutRegistryPolicy. */
  putRegistryPolicy(input: RegistryInput & { readonly policyText: string }): Result<RegistryPolicy>;
  /** ECR GetRegistryPolicy: RegistryPolicyNotFoundException when none is set. */
  getRegistryPolicy(input?: RegistryInput): Result<AnswerOf<typeof getRegistryPolicy>>;
  /** ECR DeleteRegistryPolicy: answers the policy it deleted. */
  deleteRegistryPolicy(input?: RegistryInput): Result<RegistryPolicy>;
  /** ECR TagResource on a repository ARN. */
  tagResource(input: {
    readonly resourceArn: string;
    readonly tags: ReadonlyArray<ResourceTag>;
  }): Result<Record<string, never>>;
  /** ECR UntagResource on a repository ARN. */
  untagResource(input: {
    readonly resourceArn: string;
    readonly tagKeys: ReadonlyArray<string>;
  }): Result<Record<string, never>>;
  /** ECR ListTagsForResource on a repository ARN. */
  listTagsForResource(input: { readonly resourceArn: string }): Result<AnswerOf<typeof listTagsForResource>>;
}

/** Runs `then` on the repository an ARN names, or answers the ARN's fault. */
const withArn = async <A>(
  defaultRegion: string,
  arn: string,
  then: (ref: { registryId: RegistryId; repositoryName: RepositoryName }) => Result<A>,
): Result<A> => {
  const parsed = parseRepositoryArn(arn);
  return E.isLeft(parsed)
    ? parsed
    : then({
        registryId: registryKey(parsed.right.registryId, parsed.right.region, defaultRegion),
        repositoryName: parsed.right.repositoryName,
      });
};

export const policyOperations = (runtime: RegistryRuntime): PolicyOperations => {
  const { run, runObserving, query, refOf, registryOf, context } = runtime;
  return {
    setRepositoryPolicy: (input) => {
      const ref = refOf(input);
      return run({ type: "SetRepositoryPolicy", data: { ...input, ...ref } }, () => ({
        ...ref,
        policyText: input.policyText,
      }));
    },
    getRepositoryPolicy: (input) => query((state) => getRepositoryPolicy(state, refOf(input))),
    deleteRepositoryPolicy: (input) => {
      const ref = refOf(input);
      return runObserving(
        { type: "DeleteRepositoryPolicy", data: ref },
        (before) => findRepository(before, ref.registryId, ref.repositoryName)?.policyText ?? "",
        (policyText) => ({ ...ref, policyText }),
      );
    },

    putRegistryPolicy: (input) => {
      const registryId = registryOf(input);
      return run({ type: "PutRegistryPolicy", data: { registryId, policyText: input.policyText } }, () => ({
        registryId,
        policyText: input.policyText,
      }));
    },
    getRegistryPolicy: (input = {}) =>
      query((state) => getRegistryPolicy(state, { registryId: registryOf(input) })),
    deleteRegistryPolicy: (input = {}) => {
      const registryId = registryOf(input);
      return runObserving(
        { type: "DeleteRegistryPolicy", data: { registryId } },
        (before) => registrySettings(before, registryId).policyText ?? "",
        (policyText) => ({ registryId, policyText }),
      );
    },

    tagResource: (input) =>
      withArn(context.region, input.resourceArn, (ref) =>
        run({ type: "TagResource", data: { ...ref, tags: input.tags } }, () => ({})),
      ),
    untagResource: (input) =>
      withArn(context.region, input.resourceArn, (ref) =>
        run({ type: "UntagResource", data: { ...ref, tagKeys: input.tagKeys } }, () => ({})),
      ),
    listTagsForResource: (input) =>
      withArn(context.region, input.resourceArn, (ref) => query((state) => listTagsForResource(state, ref))),
  };
};
