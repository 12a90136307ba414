/** SetRepositoryPolicy, DeleteRepositoryPolicy, PutRegistryPolicy and DeleteRegistryPolicy. */
import * as E from "fp-ts/lib/Either.js";
import { pipe } from "fp-ts/lib/function.js";
import { decisionsOf } from "../kernel/decision.js";
import { RegistryErrors } from "../kernel/registry-errors.js";
import { type RegistryState, registrySettings, requireRepository } from "../kernel/registry-state.js";
import type {
  DeleteRegistryPolicy,
  DeleteRepositoryPolicy,
  PutRegistryPolicy,
  SetRepositoryPolicy,
} from "./policy-commands.js";
import { isRegistryPolicy, isRepositoryPolicy, locksOutPolicyChanges } from "./policy-documents.js";
import type { PolicyEvent } from "./policy-events.js";

const { accept, refuse } = decisionsOf<PolicyEvent>();

const invalidPolicy = (of: "repository" | "registry") =>
  refuse(
    RegistryErrors.invalidParameter(
      `Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid ${of} policy provided'`,
    ),
  );

export const decideSetRepositoryPolicy = (state: RegistryState, { data }: SetRepositoryPolicy) =>
  pipe(
    requireRepository(state, data),
    E.chain(() => {
      if (!isRepositoryPolicy(data.policyText)) return invalidPolicy("repository");
      if (data.force !== true && locksOutPolicyChanges(data.policyText, data.registryId)) {
        return refuse(
          RegistryErrors.invalidParameter(
            "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'The policy would prevent you from setting the repository policy again; set force to set it anyway'",
          ),
        );
      }
      return accept({
        type: "RepositoryPolicySet",
        data: {
          registryId: data.registryId,
          repositoryName: data.repositoryName,
          policyText: data.policyText,
        },
      });
    }),
  );

export const decideDeleteRepositoryPolicy = (state: RegistryState, { data }: DeleteRepositoryPolicy) =>
  pipe(
    requireRepository(state, data),
    E.chain((repository) =>
      repository.policyText === undefined
        ? refuse(RegistryErrors.repositoryPolicyNotFound(data.registryId, data.repositoryName))
        : accept({
            type: "RepositoryPolicyDeleted",
            data: { registryId: data.registryId, repositoryName: data.repositoryName },
          }),
    ),
  );

export const decidePutRegistryPolicy = (_state: RegistryState, { data }: PutRegistryPolicy) =>
  isRegistryPolicy(data.policyText)
    ? accept({
        type: "RegistryPolicySet",
        data: { registryId: data.registryId, policyText: data.policyText },
      })
    : invalidPolicy("registry");

export const decideDeleteRegistryPolicy = (state: RegistryState, { data }: DeleteRegistryPolicy) =>
  registrySettings(state, data.registryId).policyText === undefined
    ? refuse(RegistryErrors.registryPolicyNotFound(data.registryId))
    : accept({ type: "RegistryPolicyDeleted", data: { registryId: data.registryId } });
