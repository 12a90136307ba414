/** PutLifecyclePolicy, DeleteLifecyclePolicy, StartLifecyclePolicyPreview and ApplyLifecyclePolicy. */
import * as E from "fp-ts/lib/Either.js";
import { pipe } from "fp-ts/lib/function.js";
import { decisionsOf } from "../kernel/decision.js";
import { type RegistryError, RegistryErrors } from "../kernel/registry-errors.js";
import { type RegistryState, type RepositoryState, requireRepository } from "../kernel/registry-state.js";
import type {
  ApplyLifecyclePolicy,
  DeleteLifecyclePolicy,
  PutLifecyclePolicy,
  StartLifecyclePolicyPreview,
} from "./lifecycle-commands.js";
import { evaluateLifecyclePolicy } from "./lifecycle-evaluation.js";
import type { LifecycleEvent } from "./lifecycle-events.js";
import type { LifecyclePolicy } from "./lifecycle-policy.js";
import { parseLifecyclePolicy } from "./lifecycle-policy-validation.js";

const { accept, refuse } = decisionsOf<LifecycleEvent>();

const parsed = (text: string): E.Either<RegistryError, LifecyclePolicy> =>
  pipe(parseLifecyclePolicy(text), E.mapLeft(RegistryErrors.invalidParameter));

/** The repository's own policy, parsed (it was valid when set), or LifecyclePolicyNotFoundException. */
const currentPolicy = (repository: RepositoryState): E.Either<RegistryError, [string, LifecyclePolicy]> =>
  repository.lifecyclePolicyText === undefined
    ? E.left(RegistryErrors.lifecyclePolicyNotFound(repository.registryId, repository.name))
    : pipe(
        parsed(repository.lifecyclePolicyText),
        E.map((policy): [string, LifecyclePolicy] => [repository.lifecyclePolicyText!, policy]),
      );

export const decidePutLifecyclePolicy = (state: RegistryState, { data }: PutLifecyclePolicy) =>
  pipe(
    requireRepository(state, data),
    E.chain(() => parsed(data.lifecyclePolicyText)),
    E.chain(() =>
      accept({
        type: "LifecyclePolicySet",
        data: {
          registryId: data.registryId,
          repositoryName: data.repositoryName,
          lifecyclePolicyText: data.lifecyclePolicyText,
        },
      }),
    ),
  );

export const decideDeleteLifecyclePolicy = (state: RegistryState, { data }: DeleteLifecyclePolicy) =>
  pipe(
    requireRepository(state, data),
    E.chain((repository) =>
      repository.lifecyclePolicyText === undefined
        ? refuse(RegistryErrors.lifecyclePolicyNotFound(data.registryId, data.repositoryName))
        : accept({
            type: "LifecyclePolicyDeleted",
            data: { registryId: data.registryId, repositoryName: data.repositoryName },
          }),
    ),
  );

/** Evaluated synchronously: the preview is COMPLETE once its event is recorded. */
export const decideStartLifecyclePolicyPreview = (
  state: RegistryState,
  { data }: StartLifecyclePolicyPreview,
) =>
  pipe(
    requireRepository(state, data),
    E.chain((repository) =>
      pipe(
        data.lifecyclePolicyText === undefined
          ? currentPolicy(repository)
          : pipe(
              parsed(data.lifecyclePolicyText),
              E.map((policy): [string, LifecyclePolicy] => [data.lifecyclePolicyText!, policy]),
            ),
        E.chain(([lifecyclePolicyText, policy]) =>
          accept({
            type: "LifecyclePolicyPreviewCompleted",
            data: {
              registryId: data.registryId,
              repositoryName: data.repositoryName,
              lifecyclePolicyText,
              results: evaluateLifecyclePolicy(repository, policy, data.now),
              evaluatedAt: data.now,
            },
          }),
        ),
      ),
    ),
  );

/**
 * Does what the policy marks now, each expiry and each transition to the archive naming its rule,
 * and records the evaluation.
 */
export const decideApplyLifecyclePolicy = (state: RegistryState, { data }: ApplyLifecyclePolicy) =>
  pipe(
    requireRepository(state, data),
    E.chain((repository) =>
      pipe(
        currentPolicy(repository),
        E.chain(([, policy]) => {
          const ref = { registryId: data.registryId, repositoryName: data.repositoryName };
          return accept(
            ...evaluateLifecyclePolicy(repository, policy, data.now).map(
              ({ imageDigest, appliedRulePriority: rulePriority, action }): LifecycleEvent =>
                action.type === "expire"
                  ? { type: "ImageExpired", data: { ...ref, imageDigest, rulePriority, expiredAt: data.now } }
                  : {
                      type: "ImageTransitioned",
                      data: {
                        ...ref,
                        imageDigest,
                        rulePriority,
                        targetStorageClass: action.targetStorageClass,
                        transitionedAt: data.now,
                      },
                    },
            ),
            { type: "LifecyclePolicyEvaluated", data: { ...ref, evaluatedAt: data.now } },
          );
        }),
      ),
    ),
  );
