/**
 * Lifecycle policies: set, get, delete, preview, and application, on demand and on a schedule. The
 * core decides what a policy does at a given time; the engine only decides when to ask.
 */
import {
  dueLifecyclePolicies,
  findRepository,
  getLifecyclePolicy,
  getLifecyclePolicyPreview,
  type ImageExpired,
  imageTags,
  type LifecyclePreviewQuery,
  type RegistryId,
  type RepositoryName,
} from "@berth/core";
import * as E from "fp-ts/lib/Either.js";
import type {
  AnswerOf,
  RegistryRuntime,
  RepositoryInput,
  RepositoryRef,
  Result,
  WithRegistry,
} from "./registry-runtime.js";

type LifecyclePolicyAnswer = AnswerOf<typeof getLifecyclePolicy>;

/** One image a lifecycle policy expired, and the rule that did it. */
export interface ExpiredImage extends RepositoryRef {
  readonly imageDigest: string;
  readonly imageTags: ReadonlyArray<string>;
  readonly rulePriority: number;
}

export interface LifecycleOperations {
  /** ECR PutLifecyclePolicy: the text must be a valid policy (InvalidParameterException naming the fault). */
  putLifecyclePolicy(
    input: RepositoryInput & { readonly lifecyclePolicyText: string },
  ): Result<RepositoryRef & { lifecyclePolicyText: string }>;
  /** ECR GetLifecyclePolicy, with lastEvaluatedAt (epoch ms; 0 before the first application). */
  getLifecyclePolicy(input: RepositoryInput): Result<LifecyclePolicyAnswer>;
  /** ECR DeleteLifecyclePolicy: answers the policy it deleted. */
  deleteLifecyclePolicy(input: RepositoryInput): Result<LifecyclePolicyAnswer>;
  /**
   * ECR StartLifecyclePolicyPreview: evaluates the given policy (else the repository's) now and
   * records the result; the preview is COMPLETE when this resolves.
   */
  startLifecyclePolicyPreview(
    input: RepositoryInput & { readonly lifecyclePolicyText?: string },
  ): Result<RepositoryRef & { lifecyclePolicyText: string; status: "COMPLETE" }>;
  /** ECR GetLifecyclePolicyPreview: the last preview, filtered and paginated. */
  getLifecyclePolicyPreview(
    input: WithRegistry<LifecyclePreviewQuery>,
  ): Result<AnswerOf<typeof getLifecyclePolicyPreview>>;
  /**
   * Applies lifecycle policies now: the named repository's (LifecyclePolicyNotFoundException when
   * it has none), or every repository's that has one. Answers the images expired. Idempotent: a
   * second application at the same time expires nothing more.
   */
  applyLifecyclePolicies(input?: {
    readonly registryId?: RegistryId;
    readonly repositoryName?: RepositoryName;
  }): Result<{ expired: ReadonlyArray<ExpiredImage> }>;
  /** Applies the policies due now: never applied since set, or last applied `intervalMs` or more ago. */
  applyDueLifecyclePolicies(intervalMs: number): Promise<{ expired: ReadonlyArray<ExpiredImage> }>;
}

export const lifecycleOperations = (runtime: RegistryRuntime): LifecycleOperations => {
  const { handler, now, run, runObserving, query, refOf } = runtime;

  /** Applies one repository's policy; the answer names each expired image with the tags it had. */
  const applyRepository = async (ref: RepositoryRef): Result<ReadonlyArray<ExpiredImage>> => {
    // The tags are copied while deciding: the projection drops them once the expiries are folded.
    const executed = await handler.execute(
      { type: "ApplyLifecyclePolicy", data: { ...ref, now: now() } },
      (before) => {
        const images = findRepository(before, ref.registryId, ref.repositoryName)?.images;
        return new Map([...(images ?? [])].map(([digest, image]) => [digest, [...imageTags(image)].sort()]));
      },
    );
    if (E.isLeft(executed)) return executed;
    const tagsBefore = executed.right.before;
    return E.right(
      executed.right.events
        .filter((event): event is ImageExpired => event.type === "ImageExpired")
        .map(({ data }) => ({
          ...ref,
          imageDigest: data.imageDigest,
          imageTags: tagsBefore.get(data.imageDigest) ?? [],
          rulePriority: data.rulePriority,
        })),
    );
  };

  const applyAll = async (refs: ReadonlyArray<RepositoryRef>) => {
    const expired: ExpiredImage[] = [];
    for (const ref of refs) {
      const applied = await applyRepository(ref);
      // A repository deleted (or its policy removed) since the state was read has nothing to apply.
      if (E.isRight(applied)) expired.push(...applied.right);
    }
    return expired;
  };

  const withPolicies = (registryId: RegistryId | undefined) =>
    [...handler.state.repositories.values()]
      .filter(
        (r) =>
          r.lifecyclePolicyText !== undefined && (registryId === undefined || r.registryId === registryId),
      )
      .map((r) => ({ registryId: r.registryId, repositoryName: r.name }));

  return {
    putLifecyclePolicy: (input) => {
      const ref = refOf(input);
      return run(
        { type: "PutLifecyclePolicy", data: { ...ref, lifecyclePolicyText: input.lifecyclePolicyText } },
        () => ({
          ...ref,
          lifecyclePolicyText: input.lifecyclePolicyText,
        }),
      );
    },
    getLifecyclePolicy: (input) => query((state) => getLifecyclePolicy(state, refOf(input))),
    deleteLifecyclePolicy: (input) => {
      const ref = refOf(input);
      return runObserving(
        { type: "DeleteLifecyclePolicy", data: ref },
        (before) => getLifecyclePolicy(before, ref),
        (policy) =>
          E.isRight(policy) ? policy.right : { ...ref, lifecyclePolicyText: "", lastEvaluatedAt: 0 },
      );
    },
    startLifecyclePolicyPreview: (input) => {
      const ref = refOf(input);
      return run(
        {
          type: "StartLifecyclePolicyPreview",
          data: {
            ...ref,
            now: now(),
            ...(input.lifecyclePolicyText === undefined
              ? {}
              : { lifecyclePolicyText: input.lifecyclePolicyText }),
          },
        },
        () => ({
          ...ref,
          lifecyclePolicyText:
            findRepository(handler.state, ref.registryId, ref.repositoryName)?.lifecyclePreview
              ?.lifecyclePolicyText ?? "",
          status: "COMPLETE" as const,
        }),
      );
    },
    getLifecyclePolicyPreview: (input) =>
      query((state) => getLifecyclePolicyPreview(state, { ...input, ...refOf(input) })),

    applyLifecyclePolicies: async (input = {}): Result<{ expired: ReadonlyArray<ExpiredImage> }> => {
      await handler.catchUp();
      if (input.repositoryName !== undefined) {
        const applied = await applyRepository(refOf({ ...input, repositoryName: input.repositoryName }));
        return E.map((expired: ReadonlyArray<ExpiredImage>) => ({ expired }))(applied);
      }
      return E.right({ expired: await applyAll(withPolicies(input.registryId)) });
    },
    applyDueLifecyclePolicies: async (intervalMs) => {
      await handler.catchUp();
      const due = dueLifecyclePolicies(handler.state, now(), intervalMs);
      return {
        expired: await applyAll(due.map((r) => ({ registryId: r.registryId, repositoryName: r.name }))),
      };
    },
  };
};
