/** Requests of the ECR operations on repository and registry policies. */
import type * as t from "io-ts";
import { boundedString, structure } from "../kernel/constraint-codecs.js";
import { force, registryId, repositoryName } from "../kernel/request-members.js";
import { POLICY_TEXT_MAX_LENGTH } from "../values/primitives.js";

const policyText = boundedString({ min: 0, max: POLICY_TEXT_MAX_LENGTH }, "PolicyText");

export const SetRepositoryPolicyRequest = structure(
  "SetRepositoryPolicyRequest",
  { repositoryName, policyText },
  { registryId, force },
);
export type SetRepositoryPolicyRequest = t.TypeOf<typeof SetRepositoryPolicyRequest>;

export const GetRepositoryPolicyRequest = structure(
  "GetRepositoryPolicyRequest",
  { repositoryName },
  { registryId },
);
export type GetRepositoryPolicyRequest = t.TypeOf<typeof GetRepositoryPolicyRequest>;

export const DeleteRepositoryPolicyRequest = structure(
  "DeleteRepositoryPolicyRequest",
  { repositoryName },
  { registryId },
);
export type DeleteRepositoryPolicyRequest = t.TypeOf<typeof DeleteRepositoryPolicyRequest>;

/** The registry is the caller's own: these requests name none. */
export const PutRegistryPolicyRequest = structure("PutRegistryPolicyRequest", { policyText }, {});
export type PutRegistryPolicyRequest = t.TypeOf<typeof PutRegistryPolicyRequest>;

export const GetRegistryPolicyRequest = structure("GetRegistryPolicyRequest", {}, {});
export type GetRegistryPolicyRequest = t.TypeOf<typeof GetRegistryPolicyRequest>;

export const DeleteRegistryPolicyRequest = structure("DeleteRegistryPolicyRequest", {}, {});
export type DeleteRegistryPolicyRequest = t.TypeOf<typeof DeleteRegistryPolicyRequest>;

export const policyRequests = {
  SetRepositoryPolicy: SetRepositoryPolicyRequest,
  GetRepositoryPolicy: GetRepositoryPolicyRequest,
  DeleteRepositoryPolicy: DeleteRepositoryPolicyRequest,
  PutRegistryPolicy: PutRegistryPolicyRequest,
  GetRegistryPolicy: GetRegistryPolicyRequest,
  DeleteRegistryPolicy: DeleteRegistryPolicyRequest,
} as const;
